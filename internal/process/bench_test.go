package process

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// BenchmarkRoundTrip is one no-op task at a time through a real worker
// process, on each data path: the IPC cost of process mode without the
// supervisor around it. It reports the round trip's p50 and p99 and the
// overhead (round trip minus the time the task ran in the worker).
func BenchmarkRoundTrip(b *testing.B) {
	for _, ipc := range IPCs {
		b.Run(string(ipc), func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			w, err := Start(ctx, Config{Command: testCommand, IPC: ipc})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Stop(context.Background())
			task := worker.Task{Name: "echo"}
			for range 1000 { // warm up
				_, _ = w.Do(ctx, task)
			}
			rts := make([]time.Duration, 0, b.N)
			var over time.Duration
			b.ResetTimer()
			for b.Loop() {
				t0 := time.Now()
				res, err := w.Do(ctx, task)
				rt := time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				rts = append(rts, rt)
				over += rt - res.Exec
			}
			b.StopTimer()
			slices.Sort(rts)
			b.ReportMetric(float64(rts[len(rts)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(rts[len(rts)*99/100].Nanoseconds()), "p99-ns")
			b.ReportMetric(float64(over.Nanoseconds())/float64(len(rts)), "overhead-ns/op")
		})
	}
}
