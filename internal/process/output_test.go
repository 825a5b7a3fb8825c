package process

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// What tasks write to stdout and stderr (fmt, os.Stderr, the log package,
// a child process sharing the worker's descriptors) reaches the
// supervisor's log, tagged with the worker, its PID and the stream; before,
// go-plugin's stdio stream swallowed it.
func TestTaskOutputIsForwarded(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		log := newLogRecorder()
		w := startTestConfig(t, Config{ID: 4, IPC: ipc, Logger: log.logger()})
		if _, err := w.Do(context.Background(), task("test-print", "hello")); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"fmt-stdout hello":   streamStdout,
			"child-stdout hello": streamStdout,
			"os-stderr hello":    streamStderr,
			"log-stderr hello":   streamStderr,
			"child-stderr hello": streamStderr,
		}
		for msg, stream := range want {
			e, ok := log.await(msg, 30*time.Second)
			if !ok {
				t.Errorf("%q not in the log:\n%s", msg, log.dump())
				continue
			}
			if e.Worker != 4 || e.PID != w.PID() || e.Stream != stream || e.Level != "INFO" {
				t.Errorf("%q logged as worker %d pid %d stream %q level %s, want worker 4 pid %d stream %q INFO",
					msg, e.Worker, e.PID, e.Stream, e.Level, w.PID(), stream)
			}
		}
		// go-plugin swaps os.Stdout as the frame path starts serving: a
		// task that wrote to it before the swap was ordered raced with it.
		if _, raced := log.await("WARNING: DATA RACE", 0); raced {
			t.Errorf("the worker reports a data race:\n%s", log.dump())
		}
	})
}

// A worker that dies right after its task wrote has those lines, in order
// within each stream, in its death report.
func TestLastWordsHoldTaskOutput(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		_, err := w.Do(context.Background(), task("test-print-exit", "bye"))
		var exit *ExitError
		if !errors.As(err, &exit) || exit.Code != 5 {
			t.Fatalf("got %v, want the worker's exit with status 5", err)
		}
		for _, order := range [][]string{
			{"fmt-stdout bye", "child-stdout bye"},
			{"os-stderr bye", "log-stderr bye", "child-stderr bye"},
		} {
			last := -1
			for _, line := range order {
				i := slices.Index(exit.Stderr, line)
				if i < 0 || i < last {
					t.Errorf("%q missing or out of order in the last words %q", line, exit.Stderr)
				}
				last = i
			}
		}
	})
}

// A logRecorder is a slog handler's output, decoded, with a way to wait
// for a message.
type logRecorder struct {
	mu      sync.Mutex
	entries []logEntry
	changed chan struct{}
}

type logEntry struct {
	Level, Msg  string
	Worker, PID int
	Stream      string
}

func newLogRecorder() *logRecorder { return &logRecorder{changed: make(chan struct{})} }

func (r *logRecorder) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(r, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (r *logRecorder) Write(p []byte) (int, error) {
	var e logEntry
	if err := json.Unmarshal(p, &e); err != nil {
		return 0, fmt.Errorf("not JSON: %q", p)
	}
	r.mu.Lock()
	r.entries = append(r.entries, e)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
	return len(p), nil
}

// await waits up to d for an entry with message msg.
func (r *logRecorder) await(msg string, d time.Duration) (logEntry, bool) {
	timeout := time.After(d)
	for {
		r.mu.Lock()
		for _, e := range r.entries {
			if e.Msg == msg {
				r.mu.Unlock()
				return e, true
			}
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-timeout:
			return logEntry{}, false
		}
	}
}

func (r *logRecorder) dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.entries {
		fmt.Fprintf(&b, "%+v\n", e)
	}
	return b.String()
}

// A crash report's start stays in a dead worker's last lines even when the
// goroutine dump after it is longer than they are: it is the telling part
// (a stack overflow's "fatal error" came 20,000 lines before the end).
func TestTailKeepsTheCrashHead(t *testing.T) {
	var tail outputTail
	fmt.Fprintln(&tail, "starting")
	fmt.Fprintln(&tail, "runtime: goroutine stack exceeds 67108864-byte limit")
	fmt.Fprintln(&tail, "fatal error: stack overflow")
	for i := range 3 * tailLines {
		fmt.Fprintf(&tail, "\tframe %d\n", i)
	}
	got := tail.Lines()
	if len(got) < 3 || got[0] != "runtime: goroutine stack exceeds 67108864-byte limit" || got[1] != "fatal error: stack overflow" {
		t.Fatalf("lines %q: want the crash's first lines first", got)
	}
	if LastWords(got) != "fatal error: stack overflow" {
		t.Errorf("last words %q", LastWords(got))
	}
	if last := got[len(got)-1]; last != fmt.Sprintf("\tframe %d", 3*tailLines-1) {
		t.Errorf("last line %q: want the last line written", last)
	}
}
