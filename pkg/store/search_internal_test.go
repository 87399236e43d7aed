package store

import (
	"slices"
	"testing"
)

func TestCandidatesIntersectWhatAllListsRead(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lists []*posting
		want  []string
		done  bool
	}{
		{"one ended: common keys up to where the other stopped, then the ended list's rest",
			[]*posting{{sks: []string{"a", "c", "e"}, done: true}, {sks: []string{"a", "b", "c"}}}, []string{"a", "c", "e"}, true},
		{"none ended: only what both read",
			[]*posting{{sks: []string{"a", "b"}}, {sks: []string{"a", "c", "d"}}}, []string{"a"}, false},
		{"all ended: the intersection",
			[]*posting{{sks: []string{"a", "b", "x"}, done: true}, {sks: []string{"b", "x"}, done: true}}, []string{"b", "x"}, true},
		{"a list that read nothing yet says nothing",
			[]*posting{{sks: []string{"a"}}, {}}, nil, false},
	} {
		got, _, done := candidates(tc.lists)
		slices.Sort(got)
		if !slices.Equal(got, tc.want) || done != tc.done {
			t.Errorf("%s: %v %v, want %v %v", tc.name, got, done, tc.want, tc.done)
		}
	}
}

func TestKeyShare(t *testing.T) {
	for sk, want := range map[string]float64{"": 1, "zzzz": 1, "0000": 1.0 / (32 * 32 * 32 * 32), "g": 0.5 + 1.0/32} {
		if got := keyShare(sk); got != want {
			t.Errorf("keyShare(%q) = %v, want %v", sk, got, want)
		}
	}
}
