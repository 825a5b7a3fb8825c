// Package units formats durations and sizes the way every report of the
// supervisor shows them, so that a figure reads the same in the run's
// summary, in compare, in ps and in bench.
package units

import (
	"fmt"
	"time"
)

// Duration rounds d to about three significant figures: 68.2ms, 7.54ms,
// 14µs, 379ns.
func Duration(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	case d >= 10*time.Microsecond:
		return d.Round(100 * time.Nanosecond).String()
	}
	return d.String()
}

// MiB formats bytes as mebibytes with one decimal, the unit of every
// memory figure.
func MiB(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
