package argon2id

import (
	"bytes"
	"crypto/rand"
	"runtime/debug"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestSameAsXCrypto(t *testing.T) {
	t.Run("this machine's path", testSameAsXCrypto)
	// The portable mixing, which arm64 (Lambda's) runs, on every machine.
	old := useSSE4
	useSSE4 = false
	defer func() { useSSE4 = old }()
	t.Run("generic", testSameAsXCrypto)
}

func testSameAsXCrypto(t *testing.T) {
	for _, p := range []struct {
		time, memory uint32
		threads      uint8
		keyLen       uint32
	}{{1, 8, 1, 32}, {2, 64, 1, 32}, {3, 256, 2, 16}, {1, 1024, 4, 64}, {2, 19456, 1, 32}, {2, 100, 3, 32},
		// Key lengths on each path of blake2bHash: a Sum function, a digest, the chain.
		{1, 32, 1, 48}, {1, 32, 1, 20}, {1, 32, 1, 100}, {1, 32, 1, 128}} {
		for i := range 3 {
			pw, salt := make([]byte, 1+i*7), make([]byte, 16)
			_, _ = rand.Read(pw)
			_, _ = rand.Read(salt)
			want := argon2.IDKey(pw, salt, p.time, p.memory, p.threads, p.keyLen)
			// Twice: the second hash reuses the first one's (dirty) memory.
			for range 2 {
				if got := IDKey(pw, salt, p.time, p.memory, p.threads, p.keyLen); !bytes.Equal(got, want) {
					t.Fatalf("%+v: got %x, want %x", p, got, want)
				}
			}
		}
	}
}

func TestConcurrentHashes(t *testing.T) {
	want := argon2.IDKey([]byte("pw"), []byte("saltsalt"), 1, 256, 1, 32)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := IDKey([]byte("pw"), []byte("saltsalt"), 1, 256, 1, 32); !bytes.Equal(got, want) {
				t.Errorf("got %x", got)
			}
		}()
	}
	wg.Wait()
}

// TestNoPageFaultsWarm: once warm, a hash at OWASP's parameters faults in no pages, even
// after the runtime handed its free memory back to the kernel (what the scavenger does
// between a Lambda process's invocations).
func TestNoPageFaultsWarm(t *testing.T) {
	IDKey([]byte("warm"), []byte("saltsalt"), 2, 19456, 1, 32)
	debug.FreeOSMemory()
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	IDKey([]byte("password"), []byte("saltsalt"), 2, 19456, 1, 32)
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	if faults := after.Minflt - before.Minflt; faults > 50 {
		t.Errorf("%d page faults in a warm hash, want (almost) none", faults)
	}
}

// TestOneLaneAllocatesOnlyTheKey: at one lane (the parameters this product uses), a warm
// hash allocates its key and nothing else. Each other allocation (a BLAKE2b digest, a
// goroutine per segment) is heap a process that handed its free memory back faults in
// again, a page or two a hash.
func TestOneLaneAllocatesOnlyTheKey(t *testing.T) {
	pw, salt := []byte("password"), []byte("saltsalt")
	IDKey(pw, salt, 2, 64, 1, 32)
	if n := testing.AllocsPerRun(10, func() { IDKey(pw, salt, 2, 64, 1, 32) }); n != 1 {
		t.Errorf("%v allocations per hash, want 1 (the key)", n)
	}
}
