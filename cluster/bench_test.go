package cluster

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// BenchmarkPaths runs no-op tasks (echo) on two worker processes, through
// the local pool and through the cluster path (an in-process server that
// syncs before acknowledging, and two agents of one worker each): one at a
// time (roundtrip, with p50 and p99), many at once one per message (each),
// and through Map, 100 to a message (batched). docs/cluster.md says how the
// figures there were taken: alternating runs of this, medians.
func BenchmarkPaths(b *testing.B) {
	shapes := []struct {
		name string
		run  func(b *testing.B, p path)
	}{{"roundtrip", benchRoundTrip}, {"each", benchEach}, {"batched", benchBatched}}
	for _, s := range shapes {
		for _, name := range []string{"local", "cluster"} {
			b.Run("shape="+s.name+"/path="+name, func(b *testing.B) {
				p := newPath(b, name)
				defer p.stop()
				s.run(b, p)
			})
		}
	}
}

// A path is where the benchmark's tasks go.
type path struct {
	submit func(t worker.Task) func() (supervisor.Status, error)
	mapAll func(inputs [][]byte) error
	stop   func()
}

func newPath(b *testing.B, name string) path {
	pc := supervisor.Config{Mode: supervisor.ModeProcess, WorkerCommand: testWorkerCommand}
	if name == "local" {
		pc.Workers = 2
		s, err := supervisor.New(context.Background(), pc)
		if err != nil {
			b.Fatal(err)
		}
		return path{
			submit: func(t worker.Task) func() (supervisor.Status, error) {
				f := s.Submit(context.Background(), t)
				return func() (supervisor.Status, error) { r := f.Result(); return r.Status, r.Err }
			},
			mapAll: func(in [][]byte) error {
				for _, err := range s.Map(context.Background(), "echo", slices.Values(in), 100) {
					if err != nil {
						return err
					}
				}
				return nil
			},
			stop: func() { _ = s.Stop(context.Background()) },
		}
	}
	return clusterPath(b, pc)
}

func clusterPath(b *testing.B, pc supervisor.Config) path {
	srv, err := StartServer(ServerConfig{StoreDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var stops []func()
	for range 2 {
		pc.Workers = 1
		pool, err := NewLocalPool(context.Background(), pc)
		if err != nil {
			b.Fatal(err)
		}
		nc, _ := srv.Connect()
		a, err := NewAgent(ctx, nc, pool, AgentConfig{})
		if err != nil {
			b.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { _ = a.Run(runCtx); close(done) }()
		stops = append(stops, func() { cancel(); <-done; _ = pool.Stop(ctx); nc.Close() })
	}
	nc, _ := srv.Connect()
	e, err := New(ctx, nc, Config{})
	if err != nil {
		b.Fatal(err)
	}
	return path{
		submit: func(t worker.Task) func() (supervisor.Status, error) {
			f := e.Submit(ctx, t)
			return func() (supervisor.Status, error) { r := f.Result(); return r.Status, r.Err }
		},
		mapAll: func(in [][]byte) error {
			for _, err := range e.Map(ctx, "echo", slices.Values(in), 100) {
				if err != nil {
					return err
				}
			}
			return nil
		},
		stop: func() {
			_ = e.Stop(ctx)
			nc.Close()
			for _, s := range stops {
				s()
			}
			srv.Shutdown()
		},
	}
}

func benchRoundTrip(b *testing.B, p path) {
	t := worker.Task{Name: "echo", Input: []byte("x")}
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		begin := time.Now()
		if st, err := p.submit(t)(); st != supervisor.StatusOK {
			b.Fatalf("%s: %v", st, err)
		}
		lat = append(lat, time.Since(begin))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}

func benchEach(b *testing.B, p path) {
	t := worker.Task{Name: "echo", Input: []byte("x")}
	waits := make([]func() (supervisor.Status, error), 0, b.N)
	b.ResetTimer()
	for range b.N {
		waits = append(waits, p.submit(t))
	}
	for _, w := range waits {
		if st, err := w(); st != supervisor.StatusOK {
			b.Fatalf("%s: %v", st, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
}

func benchBatched(b *testing.B, p path) {
	b.StopTimer()
	in := make([][]byte, b.N)
	for i := range in {
		in[i] = []byte("x")
	}
	b.StartTimer()
	if err := p.mapAll(in); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
}
