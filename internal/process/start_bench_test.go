package process

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
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
// handshake, then the Info call), one at a time; p50-ns and p99-ns are its
// distribution. Set SUPERVISOR_WORKER_BIN to measure a built binary.
func BenchmarkStart(b *testing.B) {
	for _, ipc := range []IPC{IPCFrame} {
		b.Run("ipc="+string(ipc), func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				w, err := Start(context.Background(), Config{Command: benchCommand, IPC: ipc})
				if err != nil {
					b.Fatal(err)
				}
				took = append(took, w.Startup())
				b.StopTimer()
				_ = w.Stop(context.Background())
				b.StartTimer()
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns")
		})
	}
}
