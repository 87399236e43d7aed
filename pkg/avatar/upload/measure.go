package upload

import (
	"math"
	"runtime"
	"runtime/debug"
	"time"
)

// Measure runs Process on raw with the default limits twice, for the bench command and the
// benchmarks: once as in production, timed (dur), and once with the garbage collector off,
// where the heap's growth (peakHeapBytes) is everything Process allocated. No heap can hold
// more than that, whatever GOGC, so it is an upper bound of the memory Process needs on top
// of raw, and it is the same number from run to run, unlike a sampled peak.
//
// It changes process-wide GC settings while it runs: never call it from a handler or
// alongside other work.
func Measure(raw []byte) (dur time.Duration, peakHeapBytes uint64, err error) {
	runtime.GC()
	start := time.Now()
	if _, err = Process(raw, Limits{}); err != nil {
		return 0, 0, err
	}
	dur = time.Since(start)

	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = Process(raw, Limits{})
	runtime.ReadMemStats(&after)
	return dur, after.TotalAlloc - before.TotalAlloc, err
}
