package auth

import (
	_ "embed"

	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/userbase/userbase/pkg/apperr"
)

// Password length limits, counted in Unicode characters after NFC normalization.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
)

// commonPasswords is SecLists' most common breached passwords of 8+ characters, lower-cased
// and sorted in byte order (see commonpasswords.NOTICE). It is searched in place, so a
// function that never checks a new password pays nothing for it at start.
//
//go:embed commonpasswords.txt
var commonPasswords string

// NormalizePassword returns the NFC form every password is hashed and compared in, so the
// same password typed on two keyboards matches.
func NormalizePassword(p string) string { return norm.NFC.String(p) }

// CheckPassword applies the password rules to a new password (already normalized) and
// returns the field code that fails, or "".
func CheckPassword(p string) string {
	n := utf8.RuneCountInString(p)
	switch {
	case !utf8.ValidString(p):
		return apperr.FieldInvalidFormat
	case n < MinPasswordLen:
		return apperr.FieldTooShort
	case n > MaxPasswordLen:
		return apperr.FieldTooLong
	case isCommon(strings.ToLower(p)):
		return apperr.FieldPasswordBreached
	case weak(p):
		return apperr.FieldPasswordWeak
	}
	return ""
}

// weak catches what the list cannot: one repeated character, or a run like "12345678".
func weak(p string) bool {
	r := []rune(p)
	same, up, down := true, true, true
	for i := 1; i < len(r); i++ {
		same = same && r[i] == r[0]
		up = up && r[i] == r[i-1]+1
		down = down && r[i] == r[i-1]-1
	}
	return same || up || down
}

func isCommon(p string) bool {
	lines := commonPasswords
	// Binary search over the lines of the embedded text without splitting it.
	lo, hi := 0, len(lines)
	for lo < hi {
		mid := (lo + hi) / 2
		start := strings.LastIndexByte(lines[:mid], '\n') + 1
		end := strings.IndexByte(lines[mid:], '\n')
		if end < 0 {
			end = len(lines)
		} else {
			end += mid
		}
		switch line := lines[start:end]; {
		case line == p:
			return true
		case line < p:
			lo = end + 1
		default:
			hi = start
		}
	}
	return false
}
