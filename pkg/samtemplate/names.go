package samtemplate

import (
	"strings"
	"unicode"
)

// functionSuffix ends the logical ID of every function resource
// (docs/CONVENTIONS.md).
const functionSuffix = "Function"

// LogicalID returns the logical ID of the function built from
// functions/<folder>: each dash-separated word capitalised, then "Function".
// "auth-register" -> "AuthRegisterFunction".
func LogicalID(folder string) string {
	var b strings.Builder
	for _, word := range strings.Split(folder, "-") {
		if word == "" {
			continue
		}
		r := []rune(word)
		b.WriteRune(unicode.ToUpper(r[0]))
		b.WriteString(string(r[1:]))
	}
	b.WriteString(functionSuffix)
	return b.String()
}

// Folder is the reverse of LogicalID: "AuthRegisterFunction" ->
// "auth-register". A new word starts at each upper-case letter; digits stay
// with the word before them ("V2UsersFunction" -> "v2-users"). It returns ""
// for an ID that does not end in "Function" or has nothing before it.
func Folder(logicalID string) string {
	base, ok := strings.CutSuffix(logicalID, functionSuffix)
	if !ok || base == "" {
		return ""
	}
	var b strings.Builder
	for i, r := range base {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
