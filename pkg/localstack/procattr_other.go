//go:build !linux

package localstack

import "syscall"

// procAttr puts a child in its own process group.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// freeze leaves an idle instance running: without Linux's Pdeathsig a stopped child
// would outlive a stack that died without Stop.
func freeze(*Process) {}

// thaw is freeze's undoing, nothing here.
func thaw(*Process) {}
