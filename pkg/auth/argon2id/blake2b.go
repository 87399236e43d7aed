// Copyright 2017 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package argon2id

import (
	"encoding/binary"

	"golang.org/x/crypto/blake2b"
)

// blake2bHash computes an arbitrary long hash value of in and writes the hash to out
// (RFC 9106's H'). in is at most a block. It sums with blake2b's Sum functions, whose
// state stays on the stack, where x/crypto's streams through blake2b.New, whose digest
// escapes to the heap: a few small allocations per hash, and a warm process that has
// handed its free memory back faults a page or two in again for them.
func blake2bHash(out []byte, in []byte) {
	var msg [4 + blockLength*8]byte
	binary.LittleEndian.PutUint32(msg[:4], uint32(len(out)))
	m := msg[:4+copy(msg[4:], in)]
	if len(out) <= blake2b.Size {
		sum(out, m)
		return
	}
	// Longer outputs: the first 32 bytes of each of a chain of 64-byte hashes, then the
	// last hash whole, of the length that remains.
	v := blake2b.Sum512(m)
	copy(out, v[:32])
	out = out[32:]
	for len(out) > blake2b.Size {
		v = blake2b.Sum512(v[:])
		copy(out, v[:32])
		out = out[32:]
	}
	sum(out, v[:])
}

// sum writes the BLAKE2b hash of m, len(out) bytes long (at most 64), to out. The lengths
// Argon2id uses here have Sum functions; any other takes a digest.
func sum(out, m []byte) {
	switch len(out) {
	case blake2b.Size256:
		v := blake2b.Sum256(m)
		copy(out, v[:])
	case blake2b.Size384:
		v := blake2b.Sum384(m)
		copy(out, v[:])
	case blake2b.Size:
		v := blake2b.Sum512(m)
		copy(out, v[:])
	default:
		b2, _ := blake2b.New(len(out), nil)
		b2.Write(m)
		b2.Sum(out[:0])
	}
}
