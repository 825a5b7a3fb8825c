package process

import (
	"context"
	"fmt"
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

// BenchmarkEcho sends a payload to a worker process and back, one at a
// time, on each data path; MB/s counts the payload once.
func BenchmarkEcho(b *testing.B) {
	for _, size := range []int{1 << 10, 64 << 10, 1 << 20, 16 << 20} {
		for _, ipc := range IPCs {
			b.Run(fmt.Sprintf("size=%s/ipc=%s", sizeName(size), ipc), func(b *testing.B) {
				w, err := Start(context.Background(), Config{Command: testCommand, IPC: ipc})
				if err != nil {
					b.Fatal(err)
				}
				defer w.Stop(context.Background())
				task := worker.Task{Name: "echo", Input: make([]byte, size)}
				b.SetBytes(int64(size))
				for b.Loop() {
					res, err := w.Do(context.Background(), task)
					if err != nil || len(res.Output) != size {
						b.Fatal(err, len(res.Output))
					}
				}
			})
		}
	}
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}
