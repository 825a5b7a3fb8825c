package supervisor

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// Benchmarks of the supervisor's hot paths, through the whole library:
// queue, dispatch, attempt, settle and the data path. Sub-benchmark names
// are key=value for benchstat. Process mode re-executes the test binary
// as its workers (see TestMain).

// A benchCase is one mode, and in process mode one data path.
type benchCase struct {
	mode Mode
	ipc  IPC
}

// config is cfg in c's mode and data path.
func (c benchCase) config(cfg Config) Config {
	cfg.Mode, cfg.IPC = c.mode, c.ipc
	return cfg
}

func (c benchCase) String() string {
	if c.mode == ModeThread {
		return "mode=thread"
	}
	return fmt.Sprintf("mode=process/ipc=%s", c.ipc)
}

var benchCases = []benchCase{
	{ModeThread, ""},
	{ModeProcess, IPCGRPC},
	{ModeProcess, IPCStream},
	{ModeProcess, IPCFrame},
}

// newBench starts a supervisor for a benchmark and stops it at the end.
func newBench(b *testing.B, c benchCase, cfg Config) *Supervisor {
	b.Helper()
	cfg.Mode, cfg.IPC = c.mode, c.ipc
	cfg.WorkerCommand = testWorkerCommand
	cfg.Spares = -1 // an idle spare costs nothing, but keeps the picture simple
	s, err := New(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Stop(context.Background(), CancelQueued, CancelRunning) })
	return s
}

var echo = worker.Task{Name: "echo", Input: []byte("x")}

// BenchmarkRoundTrip is one no-op task at a time, Submit to Result, on one
// worker: the latency a lone caller sees. p50-ns and p99-ns are the whole
// Submit→Result; overhead-p50-ns and overhead-p99-ns are what the supervisor
// reports per task (round trip minus time in the worker).
func BenchmarkRoundTrip(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.String(), func(b *testing.B) {
			s := newBench(b, c, Config{Workers: 1})
			ctx := context.Background()
			for range 1000 { // warm up
				s.Submit(ctx, echo).Result()
			}
			lat := make([]time.Duration, 0, 1<<16)
			over := make([]time.Duration, 0, 1<<16)
			for b.Loop() {
				t0 := time.Now()
				r := s.Submit(ctx, echo).Result()
				lat = append(lat, time.Since(t0))
				if r.Err != nil {
					b.Fatal(r.Err)
				}
				over = append(over, r.Overhead())
			}
			reportLatency(b, "", lat)
			reportLatency(b, "overhead-", over)
			b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), "tasks/s")
		})
	}
}

// BenchmarkPipelined keeps many no-op tasks submitted at once, one task per
// message, with Config.InFlight of them outstanding on each worker process.
func BenchmarkPipelined(b *testing.B) {
	for _, workers := range []int{1, 2} {
		for _, c := range benchCases {
			b.Run(fmt.Sprintf("workers=%d/%s", workers, c), func(b *testing.B) {
				s := newBench(b, c, Config{Workers: workers, InFlight: 64})
				window := 256 * workers
				submitWindow(s, 10000, window)
				b.ResetTimer()
				submitWindow(s, b.N, window)
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
			})
		}
	}
}

// submitWindow runs n echo tasks, keeping up to window submitted and not
// yet collected, as a producer feeding a pool would.
func submitWindow(s *Supervisor, n, window int) {
	ctx := context.Background()
	ring := make([]*Future[[]byte], window)
	for i := range n + window {
		k := i % window
		if f := ring[k]; f != nil {
			f.Result()
			ring[k] = nil
		}
		if i < n {
			ring[k] = s.Submit(ctx, echo)
		}
	}
}

func reportLatency(b *testing.B, prefix string, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), prefix+"p50-ns")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds()), prefix+"p99-ns")
}

// BenchmarkMap is Map over no-op tasks: chunksize=1 is one task per message
// (pipelined with Config.InFlight in process mode), chunksize=100 batches
// them like Python's map(chunksize=100). ns/op is per task.
func BenchmarkMap(b *testing.B) {
	for _, chunk := range []int{1, 100} {
		for _, workers := range []int{1, 2} {
			for _, c := range benchCases {
				name := fmt.Sprintf("chunk=%d/workers=%d/%s", chunk, workers, c)
				b.Run(name, func(b *testing.B) {
					s := newBench(b, c, Config{Workers: workers, InFlight: 64})
					const perCall = 100_000
					in := make([][]byte, perCall)
					for i := range in {
						in[i] = echo.Input
					}
					mapAll(b, s, in[:10000], chunk) // warm up
					b.ResetTimer()
					for left := b.N; left > 0; left -= perCall {
						mapAll(b, s, in[:min(left, perCall)], chunk)
					}
					b.StopTimer()
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
				})
			}
		}
	}
}

// BenchmarkReplace kills an idle worker process with SIGKILL and waits for
// its replacement: ready-ns is WorkerStarted.Ready (from the old worker's
// end, as the supervisor saw it, to the new one ready), kill-ns from the
// kill to the replacement ready. With a warm spare the replacement is the
// spare, taken over; without, a cold start. Between kills it waits long
// enough (300 ms) for the next spare to be warm, and ns/op counts that
// wait, so that the default -benchtime makes a few kills, not hundreds:
// read kill-ns and ready-ns. spare-% says how many replacements were
// spares.
func BenchmarkReplace(b *testing.B) {
	for _, spares := range []int{1, -1} {
		b.Run(fmt.Sprintf("spares=%d", max(spares, 0)), func(b *testing.B) {
			started := make(chan WorkerStarted, 16)
			c := benchCase{ModeProcess, IPCFrame}
			s, err := New(context.Background(), c.config(Config{Workers: 1, Spares: spares, WorkerCommand: testWorkerCommand,
				OnEvent: func(e Event) {
					if ws, ok := e.(WorkerStarted); ok && ws.Replacing {
						started <- ws
					}
				}}))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Stop(context.Background(), CancelQueued, CancelRunning)
			var ready, kill []time.Duration
			fromSpare := 0
			for b.Loop() {
				time.Sleep(300 * time.Millisecond)
				t0 := time.Now()
				if err := s.Kill(1); err != nil {
					b.Fatal(err)
				}
				ws := <-started
				kill = append(kill, time.Since(t0))
				ready = append(ready, ws.Ready)
				if ws.Spare {
					fromSpare++
				}
			}
			reportLatency(b, "ready-", ready)
			reportLatency(b, "kill-", kill)
			b.ReportMetric(100*float64(fromSpare)/float64(len(kill)), "spare-%")
		})
	}
}

// mapAll maps echo over in and fails b on the first error.
func mapAll(b *testing.B, s *Supervisor, in [][]byte, chunk int) {
	for _, err := range s.Map(context.Background(), "echo", slices.Values(in), chunk) {
		if err != nil {
			b.Fatal(err)
		}
	}
}
