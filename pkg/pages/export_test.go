package pages

import (
	"maps"
	"slices"
)

// TextKeys returns the sorted keys of each language's catalog.
func TextKeys() map[string][]string {
	out := map[string][]string{}
	for _, l := range languages {
		out[string(l)] = slices.Sorted(maps.Keys(texts(l)))
	}
	return out
}
