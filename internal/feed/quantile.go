package feed

import (
	"math"
	"time"
)

// growth is the ratio between the bounds of neighbouring buckets: the
// percentiles shown are within 2% of the exact ones.
const growth = 1.04

// logHist counts durations in buckets spaced evenly on a log scale, so
// that the view can show percentiles of millions of tasks in constant
// memory and time. The zero value is empty.
type logHist struct {
	counts [720]int // up to 1.04^720 ns ≈ 50 min
	n      int
}

func (h *logHist) add(d time.Duration) {
	i := 0
	if d > 1 {
		i = int(math.Log(float64(d)) / math.Log(growth))
	}
	h.counts[min(i, len(h.counts)-1)]++
	h.n++
}

// quantile is the q-quantile (0 < q ≤ 1), or 0 when empty: the geometric
// middle of the bucket holding the nearest rank.
func (h *logHist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := max(int(math.Ceil(q*float64(h.n))), 1)
	seen := 0
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			return time.Duration(math.Pow(growth, float64(i)+0.5))
		}
	}
	return 0
}
