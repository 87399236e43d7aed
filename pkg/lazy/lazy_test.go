package lazy

import (
	"sync"
	"sync/atomic"
	"testing"
)

var calls atomic.Int32

func build() []string {
	calls.Add(1)
	return []string{"built"}
}

var global = Value[[]string]{New: build}

func TestValue(t *testing.T) {
	if n := calls.Load(); n != 0 {
		t.Fatalf("New ran %d times before the first Get", n)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if v := global.Get(); len(v) != 1 || v[0] != "built" {
				t.Errorf("Get = %v", v)
			}
		})
	}
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Fatalf("New ran %d times, want once", n)
	}
}
