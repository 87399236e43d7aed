//go:build linux

package main

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"time"

	"github.com/userbase/userbase/pkg/samtemplate"
)

// Lambda gives a function CPU in proportion to its memory: 1,769 MB is one full vCPU, and
// below it the share is proportional (MB/1769). Single-threaded work, as argon2id with p=1
// and image decoding are, gains nothing above one vCPU.
const oneVCPU = 1769

// lambdaSizes are the memory sizes the sizing part compares.
var lambdaSizes = []int{256, 512, 1024, 1769}

// cpuShare is the share of one vCPU a function of mb megabytes gets.
func cpuShare(mb int) float64 { return min(1, float64(mb)/oneVCPU) }

// atSize is how long single-threaded work that takes d on a full core takes at mb.
func atSize(d time.Duration, mb int) time.Duration {
	return time.Duration(float64(d) / cpuShare(mb))
}

// billedMS is d rounded up to Lambda's billing step, the millisecond.
func billedMS(d time.Duration) float64 { return math.Ceil(float64(d) / float64(time.Millisecond)) }

// invocationCost is the Lambda price of one invocation of mb megabytes running d.
func invocationCost(mb int, d time.Duration) float64 {
	return float64(mb)/1024*billedMS(d)/1000*prices.lambdaGBSecond + prices.lambdaRequest
}

// sizedWork is CPU-bound work of a function, measured here on one core.
type sizedWork struct {
	name   string
	d      time.Duration
	folder string // the function that does it, whose memory the template sets
}

// measureSizing turns the measured argon2id and avatar times into the latency and Lambda
// price of that work at each size, beside the size template.yaml gives its function.
func measureSizing(root string, hash, avatar time.Duration) *section {
	s := &section{
		title:  fmt.Sprintf("Memory sizing: CPU-bound work at each Lambda size (CPU share MB/%d, one vCPU at %d MB), arm64 prices of %s", oneVCPU, oneVCPU, pricesAsOf),
		header: []string{"work", "MB", "CPU share", "time", "Lambda $ per million", "template.yaml"},
	}
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		s.err = err
		return s
	}
	for _, w := range []sizedWork{
		{"argon2id (login, register, reset)", hash, "auth-login"},
		{"avatar re-encoding (12 MP JPEG)", avatar, "me-avatar-put"},
	} {
		if w.d <= 0 {
			s.note("%s: not measured, so not sized.", w.name)
			continue
		}
		f, err := tpl.Function(samtemplate.LogicalID(w.folder))
		if err != nil {
			s.err = err
			return s
		}
		for _, mb := range lambdaSizes {
			chosen := ""
			if mb == f.MemorySize {
				chosen = "<- " + w.folder
			}
			d := atSize(w.d, mb)
			s.row(w.name, fmt.Sprint(mb), fmt.Sprintf("%.0f%%", 100*cpuShare(mb)), ms(d),
				fmt.Sprintf("%.2f", invocationCost(mb, d)*1e6), chosen)
		}
		if !slices.Contains(lambdaSizes, f.MemorySize) {
			s.note("%s runs at %d MB in template.yaml, a size this table does not show.", w.folder, f.MemorySize)
		}
	}
	s.note("Times are this machine's single-core times scaled by the CPU share; a Graviton core is not this one,")
	s.note("so read the ratios. CPU-bound work costs about the same at every size (time falls as the price per ms")
	s.note("rises): the size buys latency. The waits on DynamoDB do not shrink with CPU, and cost more at larger sizes;")
	s.note("the cost part below adds them. docs/operations.md says which size the template takes and why.")
	return s
}
