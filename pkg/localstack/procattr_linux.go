package localstack

import "syscall"

// procAttr puts a child in its own process group, and has the kernel kill
// it should the stack itself die without running Stop (kill -9, a crash).
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
