//go:build linux

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// sizeBudget is the most a deployed bootstrap may weigh: 10 MB, counted in decimal
// megabytes (10,000,000 bytes), the stricter reading.
const sizeBudget = 10_000_000

// measureSizes reports the size of every .build/arm64/<folder>/bootstrap, what Lambda
// runs, beside the budget; hello-world's arm64 build, when there, is the floor.
func measureSizes(root string, hello *helloBuild) *section {
	s := &section{
		title:  "Binary size: .build/arm64/<function>/bootstrap (linux/arm64, stripped; 1 MB = 10^6 bytes)",
		header: []string{"binary", "size", "budget", "result"},
	}
	if hello != nil {
		if fi, err := os.Stat(hello.ARM64); err == nil {
			s.row("hello-world", mb(fi.Size()), "(the floor)", "")
		}
	}
	folders, err := functionFolders(root)
	if err != nil {
		s.err = err
		return s
	}
	var missing []string
	for _, f := range folders {
		p := filepath.Join(root, ".build", "arm64", f, "bootstrap")
		fi, err := os.Stat(p)
		if err != nil {
			missing = append(missing, p)
			s.row(f, "-", "-", "NOT MEASURED")
			continue
		}
		s.row(f, mb(fi.Size()), "< "+mb(sizeBudget), mark(fi.Size() < sizeBudget))
	}
	if len(missing) > 0 {
		s.err = errors.New("not built (run make build): " + strings.Join(missing, ", "))
	}
	return s
}

func mb(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }
