package upload

import "encoding/binary"

// jpegHeader is what the JPEG marker segments before the first scan say that
// jpeg.DecodeConfig does not: how much memory decoding takes, and how to turn the picture.
type jpegHeader struct {
	progressive bool
	// samplesPerPixel is the decoded samples per pixel, chroma subsampling counted
	// (1.5 for 4:2:0 YCbCr, 3 for 4:4:4, 1 for grey, 4 for CMYK).
	samplesPerPixel float64
	components      int
	// rgb: stored as RGB rather than YCbCr (an Adobe APP14 transform 0 or components named
	// R, G, B), which image/jpeg converts into a second, RGBA copy.
	rgb bool
	// orientation is the EXIF orientation (1-8), 1 when absent or nonsense.
	orientation int
}

// readJPEGHeader walks the marker segments from SOI up to the first SOS, reading only their
// lengths and the two segments it needs (SOF and the EXIF APP1); ok is false when it finds
// no frame header.
func readJPEGHeader(b []byte) (h jpegHeader, ok bool) {
	h.orientation = 1
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return h, false
	}
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			// Junk between segments: skip to the next marker, as image/jpeg does.
			i++
			continue
		}
		m := b[i+1]
		if m == 0xFF { // fill byte before a marker
			i++
			continue
		}
		if m == 0x01 || m >= 0xD0 && m <= 0xD8 { // markers without a length
			i += 2
			continue
		}
		if m == 0xD9 || m == 0xDA { // EOI, SOS: entropy-coded data follows
			return h, ok
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return h, ok
		}
		seg := b[i+4 : i+2+n]
		switch {
		case m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC:
			if !ok {
				h.progressive = m == 0xC2 || m == 0xC6 || m == 0xCA || m == 0xCE
				h.components, h.samplesPerPixel, ok = sof(seg)
				if ok && h.components == 3 && string([]byte{seg[6], seg[9], seg[12]}) == "RGB" {
					h.rgb = true
				}
			}
		case m == 0xE1 && h.orientation == 1:
			h.orientation = exifOrientation(seg)
		case m == 0xEE && len(seg) >= 12 && string(seg[:5]) == "Adobe" && seg[11] == 0:
			h.rgb = true
		}
		i += 2 + n
	}
	return h, ok
}

// sof reads a frame header: precision, height, width, then per component id, sampling
// factors (h<<4|v) and quantisation table.
func sof(seg []byte) (components int, samplesPerPixel float64, ok bool) {
	if len(seg) < 6 {
		return 0, 0, false
	}
	n := int(seg[5])
	if n == 0 || len(seg) < 6+3*n {
		return 0, 0, false
	}
	hmax, vmax, sum := 1, 1, 0
	for c := 0; c < n; c++ {
		f := seg[6+3*c+1]
		hmax, vmax = max(hmax, int(f>>4)), max(vmax, int(f&15))
	}
	for c := 0; c < n; c++ {
		f := seg[6+3*c+1]
		sum += int(f>>4) * int(f&15)
	}
	return n, float64(sum) / float64(hmax*vmax), true
}

// exifOrientation reads tag 0x0112 from IFD0 of an APP1 "Exif" segment; 1 when there is
// none or it is out of range. Every offset is bounds-checked: this is attacker input.
func exifOrientation(seg []byte) int {
	const exifHeader = "Exif\x00\x00"
	if len(seg) < len(exifHeader)+8 || string(seg[:len(exifHeader)]) != exifHeader {
		return 1
	}
	t := seg[len(exifHeader):] // the TIFF structure; offsets are relative to its start
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	ifd := int64(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 1
	}
	count := int64(bo.Uint16(t[ifd:]))
	for e := int64(0); e < count; e++ {
		off := ifd + 2 + 12*e
		if off+12 > int64(len(t)) {
			return 1
		}
		if bo.Uint16(t[off:]) != 0x0112 {
			continue
		}
		// Type SHORT, count 1: the value sits in the first two bytes of the value field.
		if bo.Uint16(t[off+2:]) != 3 || bo.Uint32(t[off+4:]) != 1 {
			return 1
		}
		if o := int(bo.Uint16(t[off+8:])); o >= 1 && o <= 8 {
			return o
		}
		return 1
	}
	return 1
}
