// Copyright 2017 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package argon2id is golang.org/x/crypto/argon2's Argon2id (RFC 9106), changed so that a
// warm process hashes without faulting pages in: its working memory is kept by the process
// between hashes instead of being allocated, zeroed and handed back to the kernel each time
// (hundreds of page faults and milliseconds of system CPU per sign-in), and at one lane a
// hash allocates only its key (TestOneLaneAllocatesOnlyTheKey), so that no small-object page
// comes back either. The output is the same as x/crypto's, bit for bit (TestSameAsXCrypto).
//
// The first pass over the memory overwrites each block where x/crypto XORs it into a
// zeroed one: the same result, without zeroing the reused memory first. BLAKE2b is summed
// with its Sum functions, and one lane runs on the caller's goroutine.
package argon2id

import (
	"encoding/binary"
	"sync"

	"golang.org/x/crypto/blake2b"
)

// Version is the Argon2 version implemented.
const Version = 0x13

// The modes of Argon2; only Argon2id is offered, the others are kept for the code it
// shares with them.
const (
	argon2d = iota
	argon2i
	argon2id
)

// IDKey derives a key of keyLen bytes from the password and salt with Argon2id, as
// x/crypto's argon2.IDKey does: time passes over memory KiB with threads lanes.
func IDKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	return deriveKey(argon2id, password, salt, nil, nil, time, memory, threads, keyLen)
}

// resident is the working memory kept between hashes. One hash at a time uses it (a
// Lambda process serves one request at a time); a hash that finds it busy allocates its
// own, as x/crypto would.
var resident struct {
	sync.Mutex
	blocks []block
}

// memoryFor returns blocks for a hash of memory blocks, and the function that gives them
// back.
func memoryFor(memory uint32) ([]block, func()) {
	if !resident.TryLock() {
		return make([]block, memory), func() {}
	}
	if uint32(len(resident.blocks)) < memory {
		resident.blocks = make([]block, memory)
	}
	return resident.blocks[:memory], resident.Unlock
}

func deriveKey(mode int, password, salt, secret, data []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	if time < 1 {
		panic("argon2: number of rounds too small")
	}
	if threads < 1 {
		panic("argon2: parallelism degree too low")
	}
	h0 := initHash(password, salt, secret, data, time, memory, uint32(threads), keyLen, mode)

	memory = memory / (syncPoints * uint32(threads)) * (syncPoints * uint32(threads))
	if memory < 2*syncPoints*uint32(threads) {
		memory = 2 * syncPoints * uint32(threads)
	}
	B, release := memoryFor(memory)
	defer release()
	initBlocks(B, &h0, memory, uint32(threads))
	processBlocks(B, time, memory, uint32(threads), mode)
	return extractKey(B, memory, uint32(threads), keyLen)
}

const (
	blockLength = 128
	syncPoints  = 4
)

type block [blockLength]uint64

func initHash(password, salt, key, data []byte, time, memory, threads, keyLen uint32, mode int) [blake2b.Size + 8]byte {
	var (
		h0 [blake2b.Size + 8]byte
		// The whole input, summed at once (see blake2bHash); a password within the
		// policy's length fits on the stack.
		buf [256]byte
	)
	m := buf[:0]
	for _, v := range []uint32{threads, keyLen, memory, time, uint32(Version), uint32(mode)} {
		m = binary.LittleEndian.AppendUint32(m, v)
	}
	for _, b := range [][]byte{password, salt, key, data} {
		m = binary.LittleEndian.AppendUint32(m, uint32(len(b)))
		m = append(m, b...)
	}
	v := blake2b.Sum512(m)
	copy(h0[:], v[:])
	return h0
}

func initBlocks(B []block, h0 *[blake2b.Size + 8]byte, memory, threads uint32) {
	var block0 [1024]byte
	for lane := uint32(0); lane < threads; lane++ {
		j := lane * (memory / threads)
		binary.LittleEndian.PutUint32(h0[blake2b.Size+4:], lane)

		binary.LittleEndian.PutUint32(h0[blake2b.Size:], 0)
		blake2bHash(block0[:], h0[:])
		for i := range B[j+0] {
			B[j+0][i] = binary.LittleEndian.Uint64(block0[i*8:])
		}

		binary.LittleEndian.PutUint32(h0[blake2b.Size:], 1)
		blake2bHash(block0[:], h0[:])
		for i := range B[j+1] {
			B[j+1][i] = binary.LittleEndian.Uint64(block0[i*8:])
		}
	}
}

func processBlocks(B []block, time, memory, threads uint32, mode int) {
	p := pass{B: B, time: time, memory: memory, threads: threads, mode: mode, lanes: memory / threads}
	p.segments = p.lanes / syncPoints
	for n := uint32(0); n < time; n++ {
		for slice := uint32(0); slice < syncPoints; slice++ {
			if threads == 1 {
				// One lane runs here: a goroutine per segment would allocate, and grow a
				// stack, each hash.
				p.segment(n, slice, 0)
			} else {
				p.lanesAtOnce(n, slice)
			}
		}
	}
}

// pass is what the segments of a hash share.
type pass struct {
	B                                      []block
	time, memory, threads, lanes, segments uint32
	mode                                   int
}

// lanesAtOnce fills slice's segment of every lane, each on its own goroutine.
func (p pass) lanesAtOnce(n, slice uint32) {
	var wg sync.WaitGroup
	for lane := uint32(0); lane < p.threads; lane++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.segment(n, slice, lane)
		}()
	}
	wg.Wait()
}

// segment fills one segment of one lane in pass n.
func (p *pass) segment(n, slice, lane uint32) {
	var addresses, in, zero block
	if p.mode == argon2i || (p.mode == argon2id && n == 0 && slice < syncPoints/2) {
		in[0] = uint64(n)
		in[1] = uint64(lane)
		in[2] = uint64(slice)
		in[3] = uint64(p.memory)
		in[4] = uint64(p.time)
		in[5] = uint64(p.mode)
	}

	index := uint32(0)
	if n == 0 && slice == 0 {
		index = 2 // we have already generated the first two blocks
		if p.mode == argon2i || p.mode == argon2id {
			in[6]++
			processBlock(&addresses, &in, &zero)
			processBlock(&addresses, &addresses, &zero)
		}
	}

	offset := lane*p.lanes + slice*p.segments + index
	var random uint64
	for index < p.segments {
		prev := offset - 1
		if index == 0 && slice == 0 {
			prev += p.lanes // last block in lane
		}
		if p.mode == argon2i || (p.mode == argon2id && n == 0 && slice < syncPoints/2) {
			if index%blockLength == 0 {
				in[6]++
				processBlock(&addresses, &in, &zero)
				processBlock(&addresses, &addresses, &zero)
			}
			random = addresses[index%blockLength]
		} else {
			random = p.B[prev][0]
		}
		newOffset := indexAlpha(random, p.lanes, p.segments, p.threads, n, slice, lane, index)
		if n == 0 {
			processBlock(&p.B[offset], &p.B[prev], &p.B[newOffset]) // reused memory: overwrite
		} else {
			processBlockXOR(&p.B[offset], &p.B[prev], &p.B[newOffset])
		}
		index, offset = index+1, offset+1
	}
}

func extractKey(B []block, memory, threads, keyLen uint32) []byte {
	lanes := memory / threads
	for lane := uint32(0); lane < threads-1; lane++ {
		for i, v := range B[(lane*lanes)+lanes-1] {
			B[memory-1][i] ^= v
		}
	}

	var block [1024]byte
	for i, v := range B[memory-1] {
		binary.LittleEndian.PutUint64(block[i*8:], v)
	}
	key := make([]byte, keyLen)
	blake2bHash(key, block[:])
	return key
}

func indexAlpha(rand uint64, lanes, segments, threads, n, slice, lane, index uint32) uint32 {
	refLane := uint32(rand>>32) % threads
	if n == 0 && slice == 0 {
		refLane = lane
	}
	m, s := 3*segments, ((slice+1)%syncPoints)*segments
	if lane == refLane {
		m += index
	}
	if n == 0 {
		m, s = slice*segments, 0
		if slice == 0 || lane == refLane {
			m += index
		}
	}
	if index == 0 || lane == refLane {
		m--
	}
	return phi(rand, uint64(m), uint64(s), refLane, lanes)
}

func phi(rand, m, s uint64, lane, lanes uint32) uint32 {
	p := rand & 0xFFFFFFFF
	p = (p * p) >> 32
	p = (p * m) >> 32
	return lane*lanes + uint32((s+m-(p+1))%uint64(lanes))
}
