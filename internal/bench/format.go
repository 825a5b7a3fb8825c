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
