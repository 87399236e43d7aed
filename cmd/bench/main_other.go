//go:build !linux

// Command bench measures the performance budgets of the design on Linux, whose /proc it
// reads for every CPU figure; elsewhere it says so and stops.
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	fmt.Fprintf(os.Stderr, "bench: runs on Linux only (it reads /proc); this is %s\n", runtime.GOOS)
	os.Exit(2)
}
