package main

import (
	"math/bits"
	"time"
)

// A histogram counts durations in log-linear buckets, so that a run's
// percentiles take the same memory for a million tasks as for ten: below
// 2^subBits nanoseconds every value has a bucket of its own; above, each
// power of two is split into 2^subBits buckets, so a percentile is within
// 1/2^subBits (0.8%) of the value it stands for. The zero value is empty.
type histogram struct {
	counts []uint64
	n      int
}

const subBits = 7

func bucketOf(d time.Duration) int {
	v := uint64(max(d, 0))
	if v < 1<<subBits {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1 // v>>shift is in [2^subBits, 2^(subBits+1))
	return (shift+1)<<subBits + int(v>>shift) - 1<<subBits
}

// lowest is the smallest duration in bucket i, and width how many
// nanoseconds the bucket spans.
func lowest(i int) (low, width uint64) {
	if i < 1<<subBits {
		return uint64(i), 1
	}
	shift := i>>subBits - 1
	return uint64(i&(1<<subBits-1)+1<<subBits) << shift, 1 << shift
}

func (h *histogram) add(d time.Duration) {
	i := bucketOf(d)
	if i >= len(h.counts) {
		h.counts = append(h.counts, make([]uint64, i+1-len(h.counts))...)
	}
	h.counts[i]++
	h.n++
}

// quantile is the nearest-rank percentile p: the middle of the bucket
// holding the sample at rank ceil(p n).
func (h *histogram) quantile(p float64) int64 {
	rank := uint64(int(p*float64(h.n)+0.999999) - 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen > rank {
			low, width := lowest(i)
			return int64(low + (width-1)/2)
		}
	}
	return 0
}

// percentiles is the p50 and p99 of what was added.
func (h *histogram) percentiles() percentileSummary {
	if h.n == 0 {
		return percentileSummary{}
	}
	return percentileSummary{P50Ns: h.quantile(0.50), P99Ns: h.quantile(0.99), N: h.n}
}
