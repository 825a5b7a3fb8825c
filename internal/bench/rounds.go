package bench

import (
	"slices"
)

// Rounds: every measurement runs several times, the columns alternating
// within each round (floor, process mode on each data path, thread mode,
// the peers, then again), and each figure is the median of its rounds with
// the range they spanned. On a shared machine a figure taken once can be
// off by half; taken in alternating rounds, a column that drew a bad
// moment is seen as a wide range, and a ratio between two columns compares
// moments that were close in time.

// A Spread is a figure over the rounds: its median, least and greatest.
type Spread struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Runs   int     `json:"runs"`
}

// spreadOf summarises vals and returns the index of the median one (the
// lower middle for an even count).
func spreadOf(vals []float64) (Spread, int) {
	if len(vals) == 0 {
		return Spread{}, -1
	}
	idx := make([]int, len(vals))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case vals[a] < vals[b]:
			return -1
		case vals[a] > vals[b]:
			return 1
		}
		return 0
	})
	mid := idx[(len(idx)-1)/2]
	return Spread{Median: vals[mid], Min: vals[idx[0]], Max: vals[idx[len(idx)-1]], Runs: len(vals)}, mid
}

// spreadPtr is spreadOf for an optional JSON field: nil without values.
func spreadPtr(vals []float64) *Spread {
	if len(vals) == 0 {
		return nil
	}
	s, _ := spreadOf(vals)
	return &s
}

// mergeBy merges one kind of entry over the rounds, which list the same
// columns in the same order: each entry is the one of the round whose
// headline figure is the median, and extra adds what else is summarised
// over every round's entry.
func mergeBy[T any](rounds [][]T, head func(*T) float64, extra func(out *T, all []*T, headline Spread)) []T {
	if len(rounds) == 0 {
		return nil
	}
	n := len(rounds[0])
	for _, r := range rounds {
		n = min(n, len(r))
	}
	if n == 0 {
		return nil // a measurement that did not run stays absent
	}
	out := make([]T, n)
	for i := range n {
		var all []*T
		var vals []float64
		for _, r := range rounds {
			all = append(all, &r[i])
			vals = append(vals, head(&r[i]))
		}
		sp, mid := spreadOf(vals)
		out[i] = *all[mid]
		extra(&out[i], all, sp)
	}
	return out
}

// collect gathers one figure of every round's entry.
func collect[T any](all []*T, f func(*T) float64) []float64 {
	var out []float64
	for _, x := range all {
		if v := f(x); v > 0 {
			out = append(out, v)
		}
	}
	return out
}

// merge makes one report of the rounds': each figure the median round's,
// with its spread.
func merge(rounds []*Report) *Report {
	r := *rounds[len(rounds)-1]
	r.RoundTrip = mergeBy(field(rounds, func(x *Report) []RoundTrip { return x.RoundTrip }),
		func(x *RoundTrip) float64 { return float64(x.Caller.P50Ns) },
		func(out *RoundTrip, all []*RoundTrip, s Spread) {
			out.P50 = &s
			out.CPUPerTask = spreadPtr(collect(all, func(x *RoundTrip) float64 { return x.cpuPerTask }))
			out.VsFloor = spreadPtr(collect(all, func(x *RoundTrip) float64 { return x.vsFloor }))
		})
	r.Scaling = mergeBy(field(rounds, func(x *Report) []Scaling { return x.Scaling }),
		func(x *Scaling) float64 { return float64(x.P50Ns) },
		func(out *Scaling, all []*Scaling, s Spread) {
			out.P50Spread = &s
			out.VsOne = spreadPtr(collect(all, func(x *Scaling) float64 { return x.vsOne }))
		})
	r.Throughput = mergeBy(field(rounds, func(x *Report) []Throughput { return x.Throughput }),
		func(x *Throughput) float64 { return x.TasksPerS },
		func(out *Throughput, all []*Throughput, s Spread) {
			out.Rate = &s
			out.CPUPerTask = spreadPtr(collect(all, func(x *Throughput) float64 { return x.cpuPerTask }))
		})
	r.Startup = mergeBy(field(rounds, func(x *Report) []Startup { return x.Startup }),
		func(x *Startup) float64 { return float64(x.P50Ns) },
		func(out *Startup, _ []*Startup, s Spread) { out.P50Spread = &s })
	r.PoolStart = mergeBy(field(rounds, func(x *Report) []PoolStart { return x.PoolStart }),
		func(x *PoolStart) float64 { return float64(x.P50Ns) },
		func(out *PoolStart, _ []*PoolStart, s Spread) { out.P50Spread = &s })
	r.Payload = mergeBy(field(rounds, func(x *Report) []Payload { return x.Payload }),
		func(x *Payload) float64 { return float64(x.P50Ns) },
		func(out *Payload, all []*Payload, s Spread) {
			out.P50Spread = &s
			out.Rate = spreadPtr(collect(all, func(x *Payload) float64 { return x.MBPerS }))
		})
	r.Primes = mergeBy(field(rounds, func(x *Report) []Primes { return x.Primes }),
		func(x *Primes) float64 { return float64(x.WallNs) },
		func(out *Primes, all []*Primes, s Spread) {
			out.Wall = &s
			out.VsThreadSpread = spreadPtr(collect(all, func(x *Primes) float64 { return x.VsThread }))
		})
	r.Memory = mergeBy(field(rounds, func(x *Report) []Memory { return x.Memory }),
		func(x *Memory) float64 { return float64(x.AvgPrivate) },
		func(out *Memory, _ []*Memory, s Spread) { out.Private = &s })
	r.Replace = mergeBy(field(rounds, func(x *Report) []Replace { return x.Replace }),
		func(x *Replace) float64 { return float64(x.Ready.P50Ns) },
		func(out *Replace, _ []*Replace, s Spread) { out.ReadyP50 = &s })
	r.Fetch = mergeBy(field(rounds, func(x *Report) []Fetch { return x.Fetch }),
		func(x *Fetch) float64 { return float64(x.WallNs) },
		func(out *Fetch, _ []*Fetch, s Spread) { out.Wall = &s })
	return &r
}

// field lists one kind of entry of every round.
func field[T any](rounds []*Report, f func(*Report) []T) [][]T {
	out := make([][]T, len(rounds))
	for i, r := range rounds {
		out[i] = f(r)
	}
	return out
}
