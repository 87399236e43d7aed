package localstack

import "syscall"

// procAttr puts a child in its own process group, and has the kernel kill
// it should the stack itself die without running Stop (kill -9, a crash).
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// freeze stops an idle instance's process group, as Lambda freezes an idle sandbox: its
// timers and Go's system monitor use no CPU until the next invocation thaws it. The
// kernel still kills a stopped child when the stack dies (Pdeathsig above).
func freeze(p *Process) { signalGroup(p.PID(), syscall.SIGSTOP) }

// thaw resumes a frozen instance.
func thaw(p *Process) { signalGroup(p.PID(), syscall.SIGCONT) }
