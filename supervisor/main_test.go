package supervisor

import (
	"context"
	_ "github.com/procpool/supervisor/internal/demo" // the built-in tasks the tests use, in the workers too
	"os"
	"os/exec"
	"testing"
	"time"
)

// The test binary doubles as a worker process: started as one, it serves
// tasks instead of running tests (the TestMain recipe of ServeWorker).
// envTestWorker marks its worker processes, for tests that look for them
// in /proc.
const envTestWorker = "SUPERVISOR_TEST_WORKER"

// envSlowStart makes a worker process (not a guard) wait this long before
// it serves: a start slow enough for a test to kill it before its first
// reply every time.
const envSlowStart = "SUPERVISOR_TEST_SLOW_START"

func TestMain(m *testing.M) {
	if d, err := time.ParseDuration(os.Getenv(envSlowStart)); err == nil && os.Getenv("SUPERVISOR_GUARD") == "" {
		time.Sleep(d) // a persona: the slow start is the point, nothing waits on it
	}
	ServeWorker()
	os.Exit(m.Run())
}

func testWorkerCommand() (*exec.Cmd, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// Under -race a process sleeps a second at exit unless told otherwise.
	cmd.Env = append(os.Environ(), envTestWorker+"=1", "GORACE=atexit_sleep_ms=0")
	return cmd, nil
}

// newTest starts a supervisor for a test and stops it when the test ends,
// even if the test fails, so that no worker outlives it.
func newTest(t *testing.T, cfg Config) *Supervisor {
	t.Helper()
	if cfg.WorkerCommand == nil {
		cfg.WorkerCommand = testWorkerCommand
	}
	if cfg.Grace == 0 {
		cfg.Grace = 200 * time.Millisecond
	}
	s, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Stop(ctx, CancelQueued, CancelRunning)
		for _, p := range s.Stats().Processes {
			if p.PID != os.Getpid() && alive(p.PID) {
				t.Errorf("worker %d (pid %d) still alive after Stop", p.Worker, p.PID)
			}
		}
	})
	return s
}

// forEachMode runs f against both backends, in parallel.
func forEachMode(t *testing.T, f func(t *testing.T, mode Mode)) {
	for _, m := range []Mode{ModeProcess, ModeThread} {
		t.Run(m.String(), func(t *testing.T) {
			t.Parallel()
			f(t, m)
		})
	}
}

// wait waits for f's result with a timeout, so a bug hangs no test.
func wait(t *testing.T, f *Future[[]byte]) Result {
	t.Helper()
	select {
	case <-f.Done():
		return f.Result()
	case <-time.After(30 * time.Second):
		t.Fatalf("task %d (%s): no result after 30s", f.ID(), f.Task().Name)
		return Result{}
	}
}
