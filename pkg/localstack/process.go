package localstack

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stopGrace is how long a child has between SIGTERM and SIGKILL.
const stopGrace = 2 * time.Second

// Process is a child process of the stack. It runs in its own process group
// so that Stop reaches whatever it started in turn.
type Process struct {
	name string
	cmd  *exec.Cmd
	tail *tailWriter
	out  *prefixWriter
	done chan struct{}
	err  error // the exit status; read only after done is closed

	stopOnce sync.Once
}

// startProcess starts cmd with its output, line by line and prefixed with
// name, written to log.
func startProcess(name string, cmd *exec.Cmd, log io.Writer) (*Process, error) {
	p := &Process{name: name, cmd: cmd, tail: &tailWriter{max: 20}, out: newPrefixWriter(name, log), done: make(chan struct{})}
	out := io.MultiWriter(p.out, p.tail)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = procAttr()
	// Output is copied by goroutines that end when every holder of the pipe
	// has exited; bound the wait in case a grandchild escaped the group.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		p.out.flush() // a last line without a newline
		close(p.done)
	}()
	return p, nil
}

// PID returns the process ID, which is also its process group ID.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitError describes how the process ended, with its last output lines.
func (p *Process) exitError() error {
	msg := "exited"
	if p.err != nil {
		msg = p.err.Error()
	}
	if t := p.tail.String(); t != "" {
		return fmt.Errorf("%s %s; last output:\n%s", p.name, msg, t)
	}
	return fmt.Errorf("%s %s", p.name, msg)
}

// Stop ends the process group: SIGTERM, then SIGKILL after a grace period,
// and waits for the process to be reaped. It is safe to call more than once.
func (p *Process) Stop() {
	p.stopOnce.Do(func() {
		pgid := p.PID()
		if !p.Exited() {
			signalGroup(pgid, syscall.SIGTERM)
			signalGroup(pgid, syscall.SIGCONT) // a frozen instance acts on SIGTERM once thawed
			select {
			case <-p.done:
			case <-time.After(stopGrace):
			}
		}
		// Also after a clean exit: children it left in its group go too.
		signalGroup(pgid, syscall.SIGKILL)
		<-p.done
	})
}

// kill ends the process group at once, as Lambda does to a timed-out
// sandbox, and waits for the process to be reaped.
func (p *Process) kill() {
	p.stopOnce.Do(func() {
		signalGroup(p.PID(), syscall.SIGKILL)
		<-p.done
	})
}

func signalGroup(pgid int, sig syscall.Signal) {
	if err := syscall.Kill(-pgid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		// The group leader may be gone already while the group is not.
		_ = syscall.Kill(pgid, sig)
	}
}

// tailWriter keeps the last max lines written to it, for error messages.
type tailWriter struct {
	mu      sync.Mutex
	max     int
	lines   []string
	partial string
}

func (t *tailWriter) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.partial + string(b)
	parts := strings.Split(s, "\n")
	t.partial = parts[len(parts)-1]
	t.lines = append(t.lines, parts[:len(parts)-1]...)
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
	return len(b), nil
}

func (t *tailWriter) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := t.lines
	if t.partial != "" {
		lines = append(lines[:len(lines):len(lines)], t.partial)
	}
	return strings.Join(lines, "\n")
}
