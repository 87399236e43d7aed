package upload

// gifFrames counts the image descriptors of a GIF, stopping as soon as the count passes
// limit, by walking the block structure: every block is skipped by its length bytes, no
// pixel is decompressed, so a file of ten thousand frames costs a few microseconds instead
// of ten thousand LZW decodes (which gif.DecodeAll would do). A truncated or malformed tail
// just ends the count; the decoder judges the part it reads.
func gifFrames(b []byte, limit int) int {
	const header = 6 + 7 // "GIF89a" + logical screen descriptor
	if len(b) < header {
		return 0
	}
	i := header
	if flags := b[10]; flags&0x80 != 0 {
		i += 3 << (flags&7 + 1) // global colour table
	}
	frames := 0
	for i < len(b) && frames <= limit {
		switch b[i] {
		case 0x21: // extension: label, then data sub-blocks
			i = skipSubBlocks(b, i+2)
		case 0x2C: // image descriptor: 9 bytes, local colour table, LZW code size, data
			frames++
			if i+10 > len(b) {
				return frames
			}
			flags := b[i+9]
			i += 10
			if flags&0x80 != 0 {
				i += 3 << (flags&7 + 1)
			}
			i = skipSubBlocks(b, i+1)
		default: // 0x3B trailer, or garbage
			return frames
		}
	}
	return frames
}

// skipSubBlocks returns the index after the chain of sub-blocks starting at i (each a
// length byte and that many bytes, ended by a zero length), or len(b) when it is cut off.
func skipSubBlocks(b []byte, i int) int {
	for i < len(b) {
		n := int(b[i])
		i++
		if n == 0 {
			return i
		}
		i += n
	}
	return len(b)
}
