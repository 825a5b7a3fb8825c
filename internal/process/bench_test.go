package process

import (
	"context"
	"fmt"
	"slices"
	"sync"
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

// BenchmarkPipelined keeps 64 batches of no-op tasks in flight on each
// worker process with Send and Recv, one goroutine per worker: the data
// path's throughput without the supervisor around it. batch=1 is one task
// per message, batch=100 a hundred. ns/op is per task.
func BenchmarkPipelined(b *testing.B) {
	for _, size := range []int{1, 100} {
		for _, workers := range []int{1, 2} {
			for _, ipc := range IPCs {
				b.Run(fmt.Sprintf("batch=%d/workers=%d/ipc=%s", size, workers, ipc), func(b *testing.B) {
					benchPipelined(b, ipc, workers, size)
				})
			}
		}
	}
}

func benchPipelined(b *testing.B, ipc IPC, workers, size int) {
	const inFlight = 64
	ws := make([]*Worker, workers)
	for i := range ws {
		w, err := Start(context.Background(), Config{Command: testCommand, IPC: ipc})
		if err != nil {
			b.Fatal(err)
		}
		defer w.Stop(context.Background())
		ws[i] = w
	}
	tasks := make([]worker.Task, size)
	for i := range tasks {
		tasks[i] = worker.Task{Name: "echo", Input: []byte("x")}
	}
	// As the supervisor's pipeline does: settle every answer at hand, then
	// send as many as were answered, so that bursts go out in one write.
	run := func(w *Worker, batches int) {
		sent, done := 0, 0
		for done < batches {
			for ; sent < batches && sent-done < inFlight; sent++ {
				send(w, tasks...)
			}
			for first := true; first || w.Ready(); first = false {
				if a := w.Recv(); a.Err != nil {
					b.Error(a.Err)
					return
				}
				if done++; done == sent {
					break
				}
			}
		}
	}
	for _, w := range ws {
		run(w, 100) // warm up
	}
	b.ResetTimer()
	batches := (b.N + size - 1) / size
	var wg sync.WaitGroup
	for i, w := range ws {
		n := batches / workers
		if i < batches%workers {
			n++
		}
		wg.Go(func() { run(w, n) })
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(batches*size)/b.Elapsed().Seconds(), "tasks/s")
}
