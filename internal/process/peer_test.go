package process

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/procpool/supervisor/internal/frame"
	"github.com/procpool/supervisor/worker"
)

// TestPeers: the floor on both transports and the go-plugin peer answer,
// in processes started as workers are, and go away when closed.
func TestPeers(t *testing.T) {
	for _, kind := range frame.FloorKinds {
		t.Run("floor/"+string(kind), func(t *testing.T) {
			f, err := StartFloor(testCommand, kind)
			if err != nil {
				t.Fatal(err)
			}
			rts := make([]time.Duration, 100)
			err = f.RoundTrips(rts)
			if cerr := f.Close(); err == nil && cerr != nil {
				err = cerr
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range rts {
				if d <= 0 {
					t.Fatalf("round trip %d took %v", i, d)
				}
			}
		})
	}
	t.Run("go-plugin", func(t *testing.T) {
		p, err := StartPluginPeer(testCommand)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		out, err := p.Do(context.Background(), worker.Task{Name: "echo", Input: []byte("hi")})
		if err != nil || string(out) != "hi" {
			t.Fatalf("echo hi: %q, %v", out, err)
		}
		if _, err := p.Do(context.Background(), worker.Task{Name: "no such task"}); err == nil {
			t.Error("an unknown task did not fail")
		}
	})
}

// BenchmarkFloor is the floor's round trip on each transport: one byte to
// a child process and back with blocking system calls. p50-ns and p99-ns
// are the round trip's percentiles.
func BenchmarkFloor(b *testing.B) {
	for _, kind := range frame.FloorKinds {
		b.Run("kind="+string(kind), func(b *testing.B) {
			f, err := StartFloor(testCommand, kind)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			warm := make([]time.Duration, 1000)
			if err := f.RoundTrips(warm); err != nil {
				b.Fatal(err)
			}
			rts := make([]time.Duration, b.N)
			b.ResetTimer()
			if err := f.RoundTrips(rts); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			reportPercentiles(b, rts)
		})
	}
}

// reportPercentiles reports the p50 and p99 of ds, which it sorts.
func reportPercentiles(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(ds[len(ds)*99/100].Nanoseconds()), "p99-ns")
}
