package retry

import (
	"context"
	"errors"
	"testing"
	"time"
)

var errBusy = errors.New("busy")

func TestDo(t *testing.T) {
	p := Policy{Attempts: 4, Base: time.Microsecond, Max: 10 * time.Microsecond}
	tests := []struct {
		name      string
		succeedAt int // attempt that succeeds; -1 never
		wantCalls int
		wantErr   error
	}{
		{"first try", 0, 1, nil},
		{"third try", 2, 3, nil},
		{"never: the last error after every attempt", -1, 4, errBusy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := p.Do(context.Background(), func(attempt int) (bool, error) {
				if attempt != calls {
					t.Fatalf("attempt %d on call %d", attempt, calls)
				}
				calls++
				if attempt == tt.succeedAt {
					return false, nil
				}
				return true, errBusy
			})
			if calls != tt.wantCalls || !errors.Is(err, tt.wantErr) {
				t.Errorf("calls %d err %v; want %d %v", calls, err, tt.wantCalls, tt.wantErr)
			}
		})
	}
}

func TestDoStopsOnAFinalError(t *testing.T) {
	calls := 0
	err := Policy{Attempts: 5, Base: time.Microsecond, Max: time.Microsecond}.Do(context.Background(), func(int) (bool, error) {
		calls++
		return false, errBusy
	})
	if calls != 1 || err != errBusy {
		t.Errorf("calls %d err %v; want 1, busy", calls, err)
	}
}

func TestDoStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := Policy{Attempts: 100, Base: time.Hour, Max: time.Hour}.Do(ctx, func(int) (bool, error) {
		calls++
		cancel()
		return true, errBusy
	})
	if calls != 1 || !errors.Is(err, context.Canceled) {
		t.Errorf("calls %d err %v; want 1, canceled", calls, err)
	}
}
