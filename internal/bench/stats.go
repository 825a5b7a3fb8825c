package bench

import (
	"slices"
	"time"
)

// A Dist summarises a sample of durations. Percentiles are nearest-rank,
// as in bench/python/micro.py: p50 is the sorted sample at rank
// ceil(0.50 n), p99 at rank ceil(0.99 n), so with fewer than 100 samples
// p99 is the maximum.
type Dist struct {
	N      int   `json:"n"`
	P50Ns  int64 `json:"p50_ns"`
	P99Ns  int64 `json:"p99_ns"`
	MeanNs int64 `json:"mean_ns"`
	MinNs  int64 `json:"min_ns"`
	MaxNs  int64 `json:"max_ns"`
}

func distOf(ds []time.Duration) Dist {
	if len(ds) == 0 {
		return Dist{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Dist{N: len(s), P50Ns: int64(rank(s, 0.50)), P99Ns: int64(rank(s, 0.99)),
		MeanNs: int64(sum) / int64(len(s)), MinNs: int64(s[0]), MaxNs: int64(s[len(s)-1])}
}

// rank is the nearest-rank percentile of sorted s.
func rank(s []time.Duration, p float64) time.Duration {
	i := int(p*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// P50 and P99 as durations, for printing.
func (d Dist) P50() time.Duration { return time.Duration(d.P50Ns) }
func (d Dist) P99() time.Duration { return time.Duration(d.P99Ns) }

// quantiles thins a large sample to n+1 evenly spaced quantiles, which
// keep its shape for a chart at a fraction of the size.
func quantiles(ds []time.Duration, n int) []time.Duration {
	if len(ds) <= n+1 {
		return slices.Clone(ds)
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	out := make([]time.Duration, n+1)
	for i := range out {
		out[i] = s[i*(len(s)-1)/n]
	}
	return out
}

// median is the middle of a few repeated measurements.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}
