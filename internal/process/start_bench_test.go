package process

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/procpool/supervisor/internal/procfs"
	"github.com/procpool/supervisor/worker"
)

// envWorkerBin names a supervisor binary to start as the worker in the
// start-up benchmarks, as users run it ("make build" puts one in bin/):
// the test binary, the default, has a test's packages and a test's start.
const envWorkerBin = "SUPERVISOR_WORKER_BIN"

func benchCommand() (*exec.Cmd, error) {
	if bin := os.Getenv(envWorkerBin); bin != "" {
		return exec.Command(bin, "worker"), nil
	}
	return testCommand()
}

// BenchmarkStart is one worker's start, spawn to first reply (go-plugin's
// handshake, then the first answer on the data path), one at a time;
// p50-ns and p99-ns are its distribution. Each start alternates with a
// plain exec of a static Go program that does nothing (built here), to its
// exit: noop-p50-ns, and vs-noop, the start's p50 over the no-op's, the
// target's yardstick on a machine whose speed drifts (issue 12: ≤ 2×). Set
// SUPERVISOR_WORKER_BIN to measure a built binary (bin/supervisor-worker).
func BenchmarkStart(b *testing.B) {
	noop := buildNoop(b)
	for _, ipc := range []IPC{IPCFrame} {
		b.Run("ipc="+string(ipc), func(b *testing.B) {
			var took, bare []time.Duration
			for b.Loop() {
				w, err := Start(context.Background(), Config{Command: benchCommand, IPC: ipc})
				if err != nil {
					b.Fatal(err)
				}
				took = append(took, w.Startup())
				b.StopTimer()
				_ = w.Stop(context.Background())
				if noop != "" {
					t0 := time.Now()
					if err := exec.Command(noop).Run(); err != nil {
						b.Fatal(err)
					}
					bare = append(bare, time.Since(t0))
				}
				b.StartTimer()
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns")
			if len(bare) > 0 {
				slices.Sort(bare)
				b.ReportMetric(float64(bare[len(bare)/2].Nanoseconds()), "noop-p50-ns")
				b.ReportMetric(float64(took[len(took)/2])/float64(bare[len(bare)/2]), "vs-noop")
			}
		})
	}
}

// buildNoop builds a static Go program that does nothing, or returns ""
// (the baseline left out) where there is no Go toolchain to build it.
func buildNoop(b *testing.B) string {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(dir, "noop")
	build := exec.Command("go", "build", "-o", bin, "main.go")
	build.Dir = dir
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GO111MODULE=off")
	if out, err := build.CombinedOutput(); err != nil {
		b.Logf("no no-op baseline: go build: %v: %s", err, out)
		return ""
	}
	return bin
}

// BenchmarkIdleMemory starts a worker, runs one task, lets it idle, and
// reports its memory from /proc: private-bytes (private clean + dirty, what
// the worker alone costs) and rss-bytes. The worker is this test binary
// re-executed, so it shares its code pages with this process, as a worker
// shares them with the supervisor that re-executes its own binary. (With
// SUPERVISOR_WORKER_BIN, nothing else maps that binary, and its code
// pages count as the worker's own.)
func BenchmarkIdleMemory(b *testing.B) {
	var priv, rss int64
	for b.Loop() {
		w, err := Start(context.Background(), Config{Command: benchCommand})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.Do(context.Background(), worker.Task{Name: "echo", Input: []byte("x")}); err != nil {
			b.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond) // idle: its start-up garbage collected or not, as it happens
		m, err := procfs.ReadMemory(w.PID())
		if err != nil {
			b.Fatal(err)
		}
		priv, rss = priv+m.Private, rss+m.RSS
		_ = w.Stop(context.Background())
	}
	b.ReportMetric(float64(priv)/float64(b.N), "private-bytes")
	b.ReportMetric(float64(rss)/float64(b.N), "rss-bytes")
}
