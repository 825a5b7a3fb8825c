package process

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A worker's peak memory is its own VmHWM, not ru_maxrss, which counts from
// the fork and so starts at the supervisor's size: a supervisor of 300 MiB
// had its workers' "peak" at 314 MiB while their VmHWM was 15 MiB.
func TestPeakMemoryIsTheWorkers(t *testing.T) {
	const hostMiB, taskMiB = 192, 32
	ballast := make([]byte, hostMiB<<20)
	for i := range ballast {
		ballast[i] = 1 // resident in the host, as a big supervisor's heap is
	}
	w := startTest(t, IPCFrame)
	if _, err := w.Do(context.Background(), task("test-alloc", itoa(taskMiB))); err != nil {
		t.Fatal(err)
	}
	if peak := w.SampleMemory(); peak < taskMiB<<20 {
		t.Errorf("sampled peak %d MiB, want at least the task's %d MiB", peak>>20, taskMiB)
	}
	if err := w.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	peak := w.Usage().PeakRSS
	if peak < taskMiB<<20 || peak >= hostMiB<<20 {
		t.Errorf("peak RSS %d MiB; want the worker's own, at least %d MiB and well under the host's %d MiB",
			peak>>20, taskMiB, hostMiB)
	}
	ballast[len(ballast)-1] = 0 // kept alive until here
}

// A payload limit the frame format cannot carry is refused before anything
// starts, with a one-line error naming the limit; before, it overflowed the
// 4-byte frame length.
func TestPayloadLimitOverTheFrameFormat(t *testing.T) {
	for _, ipc := range IPCs {
		_, err := Start(context.Background(), Config{Command: testCommand, IPC: ipc, MaxPayload: 5 << 30})
		if err == nil || !strings.Contains(err.Error(), "limit of") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: Start with a 5 GiB payload limit: %v; want one line naming the limit", ipc, err)
		}
	}
	if err := CheckMaxPayload(IPCFrame, MaxPayloadLimit(IPCFrame)); err != nil {
		t.Errorf("the frame path's own limit refused: %v", err)
	}
}

// A worker starts with only the descriptors it needs: one the host opened
// without close-on-exec does not reach it.
func TestWorkerInheritsNoStrayDescriptor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stray")
	fd, err := syscall.Open(path, syscall.O_CREAT|syscall.O_RDWR, 0o600) // no O_CLOEXEC
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) }) // after the parallel subtests
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		ents, err := os.ReadDir("/proc/" + itoa(w.PID()) + "/fd")
		if err != nil {
			t.Skip("no /proc")
		}
		for _, e := range ents {
			if target, _ := os.Readlink("/proc/" + itoa(w.PID()) + "/fd/" + e.Name()); target == path {
				t.Errorf("the worker has the host's stray descriptor as its fd %s", e.Name())
			}
		}
	})
}

func TestInWorker(t *testing.T) {
	if InWorker() {
		t.Fatal("InWorker in the test process")
	}
	w := startTest(t, IPCFrame)
	res, err := w.Do(context.Background(), task("test-in-worker", ""))
	if err != nil || string(res.Output) != "true" {
		t.Errorf("InWorker in a worker: %q %v, want true", res.Output, err)
	}
	// A guard runs the worker's entry point too: an embedding program that
	// took it for a supervisor would start workers of its own.
	t.Setenv(envGuard, "1")
	if !InWorker() {
		t.Error("InWorker false in a guard")
	}
}
