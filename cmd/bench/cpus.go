//go:build linux

package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// cpuSplit gives the measured function processes of the whole-invocation part a CPU of
// their own and leaves the rest of the machine to everything else: this process (the
// Runtime API server) and the children it starts (DynamoDB Local, local-kms, the stream
// functions).
//
// On Lambda a function's vCPU is idle while it waits for DynamoDB, which runs elsewhere.
// Here, unpinned, the scheduler ran DynamoDB Local's JVM on the function's CPU in those
// waits, and the function paid for the caches it found cold: hello-world, which never
// calls DynamoDB, measured 0.41 ms per invocation unpinned against 0.20 ms pinned in the
// same hour, and whole runs moved by a third from one to the next.
type cpuSplit struct {
	fn     unix.CPUSet // the measured processes'
	others unix.CPUSet // this process's and its children's
	orig   unix.CPUSet // this process's before the split
	fnCPU  int
}

// splitCPUs is the split of the CPUs this process may run on, or nil when it has fewer
// than two.
func splitCPUs() (*cpuSplit, error) {
	var s cpuSplit
	if err := unix.SchedGetaffinity(0, &s.orig); err != nil {
		return nil, err
	}
	if s.orig.Count() < 2 {
		return nil, nil
	}
	s.others = s.orig
	s.fnCPU = -1
	for c := 0; s.fnCPU < 0; c++ {
		if s.orig.IsSet(c) {
			s.fnCPU = c
		}
	}
	s.fn.Set(s.fnCPU)
	s.others.Clear(s.fnCPU)
	return &s, nil
}

// describe says where the processes ran, for the section's notes.
func (s *cpuSplit) describe() string {
	if s == nil {
		return "Unpinned: this machine lets the bench run on fewer than two CPUs."
	}
	return fmt.Sprintf("Pinned: each measured process ran alone on CPU %d; this process (the Runtime API server) and the local stack on the other %d.",
		s.fnCPU, s.others.Count())
}

// pinThreads sets the CPU affinity of every thread of process pid (0: this one) to set.
// A new thread inherits its creator's affinity, so the threads are read again until a
// pass finds none it has not set.
func pinThreads(pid int, set *unix.CPUSet) error {
	dir := "/proc/self/task"
	if pid != 0 {
		dir = "/proc/" + strconv.Itoa(pid) + "/task"
	}
	done := map[int]bool{}
	for pass := 0; pass < 100; pass++ {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		fresh := false
		for _, e := range entries {
			tid, err := strconv.Atoi(e.Name())
			if err != nil || done[tid] {
				continue
			}
			done[tid], fresh = true, true
			if err := unix.SchedSetaffinity(tid, set); err != nil && !errors.Is(err, unix.ESRCH) {
				return fmt.Errorf("pin thread %d: %w", tid, err)
			}
		}
		if !fresh {
			return nil
		}
	}
	return errors.New("pin threads: threads kept appearing")
}
