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

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
