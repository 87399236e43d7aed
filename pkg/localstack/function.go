package localstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// initTimeout is Lambda's limit on a runtime's start (its init phase).
const initTimeout = 10 * time.Second

// ErrStopped is returned by invocations made after Stop.
var ErrStopped = errors.New("local stack stopped")

// function is one Lambda function with its pool of warm instances. As on
// Lambda, an invocation takes an idle instance or starts a new one, so
// concurrent invocations run in separate processes, and an instance serves
// one invocation at a time.
type function struct {
	id      string // logical ID, which prefixes its log lines
	name    string // AWS_LAMBDA_FUNCTION_NAME
	arn     string
	binary  string   // .build/host/<folder>/bootstrap
	env     []string // without AWS_LAMBDA_RUNTIME_API, which is per instance
	timeout time.Duration
	log     io.Writer

	mu     sync.Mutex
	idle   []*instance
	all    map[*instance]struct{}
	closed bool
}

// instance is one process of a function with its own Runtime API server.
type instance struct {
	api  *runtimeAPI
	proc *Process
	srv  *http.Server
	// stale marks an instance started before a Recycle: it ends when its invocation
	// does instead of serving another. Guarded by the function's mu.
	stale bool
}

// invoke runs payload through the function and returns its response
// payload. A failure inside Lambda is a *FunctionError.
func (f *function) invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if len(payload) > maxInvokePayload {
		return nil, &FunctionError{Type: "RequestEntityTooLargeException", Message: "request payload is over 6 MB"}
	}
	inv := &invocation{id: newUUID(), payload: payload, result: make(chan invokeResult, 1)}
	for {
		inst, warm, err := f.acquire()
		if err != nil {
			return nil, err
		}
		body, delivered, err := f.run(ctx, inst, inv)
		if !delivered && warm && ctx.Err() == nil {
			// A warm instance that died between invocations (a panic exits
			// after reporting): Lambda would use another, and so do we.
			continue
		}
		return body, err
	}
}

// run hands inv to inst and waits for its outcome. delivered reports
// whether the runtime took the invocation.
func (f *function) run(ctx context.Context, inst *instance, inv *invocation) (body []byte, delivered bool, err error) {
	initTimer := time.NewTimer(initTimeout)
	defer initTimer.Stop()
	select {
	case inst.api.invokes <- inv:
	case <-inst.proc.Done():
		f.discard(inst)
		return nil, false, f.exitFailure(inst)
	case <-initTimer.C:
		f.discard(inst)
		return nil, false, &FunctionError{Type: "Runtime.InitTimeout", Message: fmt.Sprintf("the runtime did not ask for an invocation within %s", initTimeout)}
	case <-ctx.Done():
		f.release(inst)
		return nil, false, ctx.Err()
	}

	timer := time.NewTimer(f.timeout)
	wait := func() ([]byte, error) {
		defer timer.Stop()
		select {
		case res := <-inv.result:
			f.release(inst)
			if res.err != nil {
				return nil, res.err
			}
			return res.body, nil
		case <-inst.proc.Done():
			// A process that posts its outcome and then exits (a panic does)
			// still delivered the outcome.
			select {
			case res := <-inv.result:
				f.discard(inst)
				if res.err != nil {
					return nil, res.err
				}
				return res.body, nil
			default:
			}
			f.discard(inst)
			return nil, f.exitFailure(inst)
		case <-timer.C:
			msg := fmt.Sprintf("Task timed out after %.2f seconds", f.timeout.Seconds())
			logLine(f.log, f.id, msg)
			f.discard(inst) // Lambda resets a timed-out sandbox
			return nil, &FunctionError{Type: "Sandbox.Timedout", Message: msg}
		}
	}
	type outcome struct {
		body []byte
		err  error
	}
	done := make(chan outcome, 1)
	go func() {
		b, err := wait()
		done <- outcome{b, err}
	}()
	select {
	case o := <-done:
		return o.body, true, o.err
	case <-ctx.Done():
		// The caller left; the function runs on as it would on Lambda, and
		// wait returns the instance to the pool when it ends.
		return nil, true, ctx.Err()
	}
}

func (f *function) exitFailure(inst *instance) *FunctionError {
	if fe := inst.api.initFailure(); fe != nil {
		return fe
	}
	msg := "the process exited"
	if inst.proc.err != nil {
		msg = inst.proc.err.Error()
	}
	return &FunctionError{Type: "Runtime.ExitError", Message: "Runtime exited: " + msg}
}

// acquire returns an idle instance (warm true) or starts a new one.
func (f *function) acquire() (inst *instance, warm bool, err error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, false, ErrStopped
	}
	for len(f.idle) > 0 {
		// Most recently used first, as Lambda keeps as few instances busy
		// as it can.
		inst = f.idle[len(f.idle)-1]
		f.idle = f.idle[:len(f.idle)-1]
		if !inst.proc.Exited() {
			thaw(inst.proc) // under mu, so a concurrent release cannot freeze it after
			f.mu.Unlock()
			return inst, true, nil
		}
	}
	f.mu.Unlock()
	inst, err = f.start()
	return inst, false, err
}

func (f *function) start() (*instance, error) {
	if _, err := os.Stat(f.binary); err != nil {
		return nil, &FunctionError{Type: "Runtime.InvalidEntrypoint", Message: fmt.Sprintf("%s: %v (run make build)", f.binary, err)}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime API listener for %s: %w", f.id, err)
	}
	inst := &instance{}
	cmd := exec.Command(f.binary)
	cmd.Dir = filepath.Dir(f.binary)
	cmd.Env = append(f.env[:len(f.env):len(f.env)],
		"AWS_LAMBDA_RUNTIME_API="+ln.Addr().String(),
		"AWS_LAMBDA_LOG_STREAM_NAME="+time.Now().UTC().Format("2006/01/02")+"/[$LATEST]"+newUUID()[:8],
	)
	proc, err := startProcess(f.id, cmd, f.log)
	if err != nil {
		ln.Close()
		return nil, err
	}
	inst.proc = proc
	inst.api = &runtimeAPI{fn: f, invokes: make(chan *invocation), exited: proc.Done()}
	inst.srv = &http.Server{Handler: inst.api.handler(), ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = inst.srv.Serve(ln) }()

	f.mu.Lock()
	closed := f.closed
	if !closed {
		f.all[inst] = struct{}{}
	}
	f.mu.Unlock()
	if closed {
		proc.kill()
		inst.srv.Close()
		return nil, ErrStopped
	}
	go func() {
		<-proc.Done()
		if f.forget(inst) && proc.err != nil {
			logLine(f.log, f.id, "process exited: "+proc.err.Error())
		}
		inst.srv.Close()
	}()
	return inst, nil
}

// release returns a healthy instance to the pool, or ends it when a Recycle made it stale.
func (f *function) release(inst *instance) {
	f.mu.Lock()
	if inst.stale {
		f.mu.Unlock()
		f.discard(inst)
		return
	}
	defer f.mu.Unlock()
	if _, ok := f.all[inst]; ok && !f.closed && !inst.proc.Exited() {
		freeze(inst.proc)
		f.idle = append(f.idle, inst)
	}
}

// recycle ends the idle instances now and the busy ones when their invocation ends, so
// every invocation from now on runs in a process started after this call.
func (f *function) recycle() {
	f.mu.Lock()
	idle := f.idle
	f.idle = nil
	for inst := range f.all {
		inst.stale = true
	}
	f.mu.Unlock()
	for _, inst := range idle {
		f.discard(inst)
	}
}

// discard ends an instance that must not serve again.
func (f *function) discard(inst *instance) {
	f.forget(inst)
	inst.proc.kill()
	inst.srv.Close()
}

// forget removes inst from the pool; it reports whether it was there and
// the stack is not stopping.
func (f *function) forget(inst *instance) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.all[inst]
	delete(f.all, inst)
	for i, x := range f.idle {
		if x == inst {
			f.idle = append(f.idle[:i], f.idle[i+1:]...)
			break
		}
	}
	return ok && !f.closed
}

// close stops every instance and refuses new invocations.
func (f *function) close() {
	f.mu.Lock()
	f.closed = true
	insts := make([]*instance, 0, len(f.all))
	for inst := range f.all {
		insts = append(insts, inst)
	}
	// Forget them now, so pids is empty once close returns.
	f.all, f.idle = map[*instance]struct{}{}, nil
	f.mu.Unlock()
	var wg sync.WaitGroup
	for _, inst := range insts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst.proc.Stop()
			inst.srv.Close()
		}()
	}
	wg.Wait()
}

// pids returns the process IDs of the live instances.
func (f *function) pids() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int
	for inst := range f.all {
		out = append(out, inst.proc.PID())
	}
	return out
}
