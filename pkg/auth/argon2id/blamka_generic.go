// Copyright 2017 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package argon2id

import "math/bits"

var useSSE4 bool

// blamkaGeneric is BLAKE2b's round on sixteen words with Argon2's multiplication: G on the
// four columns, then on the four diagonals, each G as its two halves. x/crypto writes the
// halves out by hand; these are within the compiler's inlining budget (a whole G is not),
// so the arithmetic compiled is the same (on arm64 too: 32 UMULL, 32 ROR) and so is the
// time of a hash, within noise.
func blamkaGeneric(t00, t01, t02, t03, t04, t05, t06, t07, t08, t09, t10, t11, t12, t13, t14, t15 *uint64) {
	v00, v01, v02, v03 := *t00, *t01, *t02, *t03
	v04, v05, v06, v07 := *t04, *t05, *t06, *t07
	v08, v09, v10, v11 := *t08, *t09, *t10, *t11
	v12, v13, v14, v15 := *t12, *t13, *t14, *t15

	v00, v04, v08, v12 = half(v00, v04, v08, v12, 32, 24)
	v00, v04, v08, v12 = half(v00, v04, v08, v12, 16, 63)
	v01, v05, v09, v13 = half(v01, v05, v09, v13, 32, 24)
	v01, v05, v09, v13 = half(v01, v05, v09, v13, 16, 63)
	v02, v06, v10, v14 = half(v02, v06, v10, v14, 32, 24)
	v02, v06, v10, v14 = half(v02, v06, v10, v14, 16, 63)
	v03, v07, v11, v15 = half(v03, v07, v11, v15, 32, 24)
	v03, v07, v11, v15 = half(v03, v07, v11, v15, 16, 63)

	v00, v05, v10, v15 = half(v00, v05, v10, v15, 32, 24)
	v00, v05, v10, v15 = half(v00, v05, v10, v15, 16, 63)
	v01, v06, v11, v12 = half(v01, v06, v11, v12, 32, 24)
	v01, v06, v11, v12 = half(v01, v06, v11, v12, 16, 63)
	v02, v07, v08, v13 = half(v02, v07, v08, v13, 32, 24)
	v02, v07, v08, v13 = half(v02, v07, v08, v13, 16, 63)
	v03, v04, v09, v14 = half(v03, v04, v09, v14, 32, 24)
	v03, v04, v09, v14 = half(v03, v04, v09, v14, 16, 63)

	*t00, *t01, *t02, *t03 = v00, v01, v02, v03
	*t04, *t05, *t06, *t07 = v04, v05, v06, v07
	*t08, *t09, *t10, *t11 = v08, v09, v10, v11
	*t12, *t13, *t14, *t15 = v12, v13, v14, v15
}

// half is one half of BLAKE2b's G with the additions made a+b+2*lo(a)*lo(b) (Argon2's
// fBlaMka): d is rotated right by rd bits, b by rb.
func half(a, b, c, d uint64, rd, rb int) (uint64, uint64, uint64, uint64) {
	a += b + 2*uint64(uint32(a))*uint64(uint32(b))
	d = bits.RotateLeft64(d^a, -rd)
	c += d + 2*uint64(uint32(c))*uint64(uint32(d))
	b = bits.RotateLeft64(b^c, -rb)
	return a, b, c, d
}
