package bench

import (
	"fmt"
	"time"

	"github.com/procpool/supervisor/internal/units"
)

// fmtDur is units.Duration, with "-" for a figure that did not run.
func fmtDur(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return units.Duration(d)
}

func fmtNs(ns int64) string { return fmtDur(time.Duration(ns)) }

// fmtBytes prints a size in KiB, MiB or GiB: exact for the payload sizes.
func fmtBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return trimZero(float64(n)/(1<<30)) + " GiB"
	case n >= 1<<20:
		return trimZero(float64(n)/(1<<20)) + " MiB"
	case n >= 1<<10:
		return trimZero(float64(n)/(1<<10)) + " KiB"
	}
	return fmt.Sprintf("%d B", n)
}

func trimZero(f float64) string {
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprintf("%.1f", f)
}

// fmtRate prints tasks per second with k or M.
func fmtRate(r float64) string {
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.2fM/s", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.1fk/s", r/1e3)
	}
	return fmt.Sprintf("%.0f/s", r)
}

// fmtSpread prints a figure over the rounds as its median and range, each
// with f: "7.4µs (6.9–8.1)". Without a spread, or a single round, it prints
// the median alone.
func fmtSpread(s *Spread, f func(float64) string) string {
	if s == nil {
		return ""
	}
	if s.Runs < 2 || s.Min == s.Max {
		return f(s.Median)
	}
	return fmt.Sprintf("%s (%s–%s)", f(s.Median), f(s.Min), f(s.Max))
}

func nsOf(v float64) string    { return fmtNs(int64(v)) }
func rateOf(v float64) string  { return fmtRate(v) }
func timesOf(v float64) string { return fmt.Sprintf("%.2f×", v) }
func cpuNsOf(v float64) string { return fmtNs(int64(v)) }
func ratioOf(v float64) string { return fmt.Sprintf("%.2f", v) }
func mbpsOf(v float64) string  { return fmt.Sprintf("%.0f MB/s", v) }
func bytesOf(v float64) string { return fmtBytes(int64(v)) }
