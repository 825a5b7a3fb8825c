package supervisor

import (
	"math/rand/v2"
	"time"
)

// intensity counts unplanned restarts within a sliding window, the way an
// Erlang/OTP supervisor's intensity and period do. Not safe for concurrent
// use; the supervisor guards it.
type intensity struct {
	max    int
	window time.Duration
	times  []time.Time
}

// add records a restart at now and reports whether there have now been
// more than max within the window.
func (in *intensity) add(now time.Time) bool {
	cut := now.Add(-in.window)
	keep := in.times[:0]
	for _, t := range in.times {
		if t.After(cut) {
			keep = append(keep, t)
		}
	}
	in.times = append(keep, now)
	return len(in.times) > in.max
}

// backoff is the delay before the n-th consecutive restart of a worker that
// keeps dying without completing a task: none for the first, then lo
// doubling up to hi, each with ±20% jitter so that workers that died
// together do not restart in lockstep (Supervisor/supervisor#1640).
func backoff(n int, lo, hi time.Duration, jitter func() float64) time.Duration {
	if n <= 1 {
		return 0
	}
	d := lo
	for i := 2; i < n && d < hi; i++ {
		d *= 2
	}
	return time.Duration(float64(min(d, hi)) * (0.8 + 0.4*jitter()))
}

// defaultJitter is uniform in [0, 1).
func defaultJitter() float64 { return rand.Float64() }
