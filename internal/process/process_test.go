package process

import (
	"context"
	"errors"
	"fmt"
	_ "github.com/procpool/supervisor/internal/demo" // the built-in tasks the tests run, in the workers too
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// The test binary doubles as a worker and as the other processes the tests
// need: with envTestWorker set it runs the persona the variable names (see
// personas) instead of running tests (the TestMain re-exec pattern of
// golang/go's os/exec tests). "1" is a plain worker.
const envTestWorker = "PROCESS_TEST_WORKER"

func TestMain(m *testing.M) {
	if name := os.Getenv(envTestWorker); name != "" {
		persona, ok := personas[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "no persona %q\n", name)
			os.Exit(2)
		}
		if err := persona(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func testCommand() (*exec.Cmd, error) { return personaCommand("1")() }

// personaCommand is a Config.Command that runs the test binary as persona.
func personaCommand(persona string, env ...string) func() (*exec.Cmd, error) {
	return func() (*exec.Cmd, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		// Under -race a process sleeps a second at exit unless told otherwise.
		cmd.Env = append(append(os.Environ(), envTestWorker+"="+persona, "GORACE=atexit_sleep_ms=0"), env...)
		return cmd, nil
	}
}

// startTest starts a worker and makes sure it is gone when the test ends,
// even if the test fails.
func startTest(t *testing.T, ipc IPC) *Worker {
	t.Helper()
	return startTestConfig(t, Config{ID: 1, IPC: ipc})
}

// startTestConfig is startTest with a configuration; the test binary is the
// worker, and the grace is short unless cfg says otherwise.
func startTestConfig(t *testing.T, cfg Config) *Worker {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg.Command = testCommand
	if cfg.Grace == 0 {
		cfg.Grace = 200 * time.Millisecond
	}
	w, err := Start(ctx, cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = w.Stop(ctx)
	})
	return w
}

func forEachIPC(t *testing.T, f func(t *testing.T, ipc IPC)) {
	for _, ipc := range IPCs {
		t.Run(string(ipc), func(t *testing.T) { t.Parallel(); f(t, ipc) })
	}
}

func TestRoundTrip(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		res, err := w.Do(context.Background(), worker.Task{Name: "primes", Input: []byte("112272535095293")})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(res.Output), "112272535095293 is prime: true"; got != want {
			t.Errorf("output %q, want %q", got, want)
		}
		if res.PID != w.PID() || res.PID == os.Getpid() {
			t.Errorf("ran in PID %d; worker is %d, test is %d", res.PID, w.PID(), os.Getpid())
		}
		if res.Exec <= 0 {
			t.Errorf("exec time %v, want > 0", res.Exec)
		}
	})
}

func TestErrorsCrossTheBoundary(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		ctx := context.Background()
		_, err := w.Do(ctx, worker.Task{Name: "primes", Input: []byte("abc")})
		if !errors.Is(err, worker.ErrBadInput) {
			t.Errorf("bad input: got %v, want ErrBadInput", err)
		}
		_, err = w.Do(ctx, worker.Task{Name: "nope"})
		if !errors.Is(err, worker.ErrUnknownTask) {
			t.Errorf("unknown task: got %v, want ErrUnknownTask", err)
		}
		_, err = w.Do(ctx, worker.Task{Name: "panic", Input: []byte("boom")})
		var p *worker.PanicError
		if !errors.As(err, &p) || p.Value != "boom" || !strings.Contains(p.Stack, "panicTask") {
			t.Errorf("panic: got %#v", err)
		}
		if _, err := w.Do(ctx, worker.Task{Name: "echo", Input: []byte("still alive")}); err != nil {
			t.Errorf("worker did not survive a recovered panic: %v", err)
		}
	})
}

func TestCancellationReachesTheTask(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := w.Do(ctx, worker.Task{Name: "sleep", Input: []byte("1h")})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want DeadlineExceeded", err)
		}
		select {
		case <-w.Done():
			t.Fatal("the worker died; a task that honours cancellation must leave it alive")
		default:
		}
		ctx, cancel = context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		if _, err := w.Do(ctx, worker.Task{Name: "sleep", Input: []byte("1h")}); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want Canceled", err)
		}
	})
}

func TestKillLadderOnAHungTask(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := w.Do(ctx, worker.Task{Name: "hang"})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want DeadlineExceeded", err)
		}
		<-w.Done()
		var exit *ExitError
		if !errors.As(w.Err(), &exit) || exit.Signal != syscall.SIGTERM {
			t.Fatalf("exit %v, want death by SIGTERM", w.Err())
		}
	})
}

func TestWorkerDeathIsReported(t *testing.T) {
	cases := []struct {
		task   string
		input  string
		code   int
		signal syscall.Signal
		words  string
	}{
		{"crash", "bye", 2, 0, "panic: crash: bye"},
		{"exit", "7", 7, 0, ""},
		{"segv", "", -1, syscall.SIGSEGV, ""},
	}
	for _, c := range cases {
		t.Run(c.task, func(t *testing.T) {
			forEachIPC(t, func(t *testing.T, ipc IPC) {
				w := startTest(t, ipc)
				_, err := w.Do(context.Background(), worker.Task{Name: c.task, Input: []byte(c.input)})
				var exit *ExitError
				if !errors.As(err, &exit) {
					t.Fatalf("got %v, want an *ExitError", err)
				}
				if exit.Code != c.code || exit.Signal != c.signal {
					t.Errorf("exit code %d signal %v, want %d %v", exit.Code, exit.Signal, c.code, c.signal)
				}
				if c.words != "" && exit.LastWords() != c.words {
					t.Errorf("last words %q, want %q (stderr %q)", exit.LastWords(), c.words, exit.Stderr)
				}
			})
		})
	}
}

func TestStopLeavesNoProcess(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		// A grace no loaded machine outlasts: the test is of a gentle stop,
		// and with 200ms a busy machine's worker was sent SIGTERM first.
		w := startTestConfig(t, Config{ID: 1, IPC: ipc, Grace: 30 * time.Second})
		if err := w.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Kill(-w.PID(), 0); !errors.Is(err, syscall.ESRCH) {
			t.Fatalf("process group %d still exists after Stop: %v", w.PID(), err)
		}
		var exit *ExitError
		if !errors.As(w.Err(), &exit) || exit.Code != 0 {
			t.Errorf("a gentle stop should exit 0, got %v", w.Err())
		}
	})
}
