package main

import (
	"fmt"
	"slices"
	"strings"
)

// suggest returns the candidates close to typed: those it is a prefix of,
// and those within an edit distance of 2 (a third of the word for short
// ones), nearest first. "kil" suggests "kill"; "prime" suggests "primes".
func suggest(typed string, candidates []string) []string {
	type scored struct {
		word string
		dist int
	}
	var near []scored
	limit := min(2, max(1, len(typed)/3))
	for _, c := range candidates {
		d := distance(strings.ToLower(typed), strings.ToLower(c))
		if d <= limit || (len(typed) >= 2 && strings.HasPrefix(c, typed)) {
			near = append(near, scored{c, d})
		}
	}
	slices.SortStableFunc(near, func(a, b scored) int { return a.dist - b.dist })
	out := make([]string, len(near))
	for i, s := range near {
		out[i] = s.word
	}
	return out
}

// didYouMean is "; did you mean X?" for the nearest candidate, or "".
func didYouMean(typed string, candidates []string, quote func(string) string) string {
	s := suggest(typed, candidates)
	if len(s) == 0 {
		return ""
	}
	return fmt.Sprintf("; did you mean %s?", quote(s[0]))
}

// distance is the edit distance between a and b, in bytes, counting a
// swap of two neighbours as one edit (optimal string alignment): "jsno" is
// one typo away from "json".
func distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
