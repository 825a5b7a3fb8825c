package units

import (
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	cases := map[time.Duration]string{
		379 * time.Nanosecond:        "379ns",
		14012 * time.Nanosecond:      "14µs",
		7543210 * time.Nanosecond:    "7.54ms",
		68234567 * time.Nanosecond:   "68.2ms",
		1234567890 * time.Nanosecond: "1.23s",
		61234567890:                  "1m1.2s",
	}
	for d, want := range cases {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%d) = %q, want %q", d, got, want)
		}
	}
}

func TestMiB(t *testing.T) {
	if got := MiB(20 << 20); got != "20.0 MiB" {
		t.Errorf("got %q", got)
	}
}
