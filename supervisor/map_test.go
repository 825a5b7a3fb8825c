package supervisor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

func inputs(n int, f func(i int) string) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte(f(i))
	}
	return out
}

// mapOut is one input's outcome, as Map yields it.
type mapOut struct {
	Output []byte
	Err    error
}

// mapTest runs Map over in and collects what it yields, with a timeout so
// that a bug hangs no test.
func mapTest(t *testing.T, s *Supervisor, ctx context.Context, name string, in [][]byte, chunksize int) []mapOut {
	t.Helper()
	done := make(chan []mapOut, 1)
	go func() {
		var out []mapOut
		for o, err := range s.Map(ctx, name, slices.Values(in), chunksize) {
			out = append(out, mapOut{o, err})
		}
		done <- out
	}()
	select {
	case out := <-done:
		if len(out) != len(in) {
			t.Fatalf("Map yielded %d results for %d inputs", len(out), len(in))
		}
		return out
	case <-time.After(60 * time.Second):
		t.Fatal("Map did not return within 60s")
		return nil
	}
}

// finished collects TaskFinished events by task ID.
type finished struct {
	mu sync.Mutex
	by map[uint64][]Result
}

func (f *finished) event(e Event) {
	if tf, ok := e.(TaskFinished); ok {
		f.mu.Lock()
		if f.by == nil {
			f.by = map[uint64][]Result{}
		}
		f.by[tf.Result.ID] = append(f.by[tf.Result.ID], tf.Result)
		f.mu.Unlock()
	}
}

func (f *finished) results() map[uint64][]Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.by)
}

func TestMapKeepsOrderAndExactlyOneResultEach(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b testBackend) {
		for _, inFlight := range []int{1, 4} {
			t.Run(fmt.Sprintf("inflight=%d", inFlight), func(t *testing.T) {
				var ev finished
				s := newTest(t, b.config(Config{Workers: 2, InFlight: inFlight, OnEvent: ev.event}))
				in := inputs(1000, func(i int) string { return "input " + strconv.Itoa(i) })
				for _, size := range []int{1, 7, 100, 5000} {
					out := mapTest(t, s, context.Background(), "echo", in, size)
					for i, r := range out {
						if r.Err != nil || string(r.Output) != string(in[i]) {
							t.Fatalf("chunksize %d, input %d: %q %v", size, i, r.Output, r.Err)
						}
					}
				}
				by := ev.results()
				if len(by) != 4*len(in) {
					t.Errorf("%d tasks finished, want %d", len(by), 4*len(in))
				}
				for id, rs := range by {
					if len(rs) != 1 {
						t.Errorf("task %d finished %d times", id, len(rs))
					}
				}
				if n := s.Stats().Ended[StatusOK]; n != int64(4*len(in)) {
					t.Errorf("Stats: %d ok, want %d", n, 4*len(in))
				}
			})
		}
	})
}

func TestMapPerInputErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b testBackend) {
		s := newTest(t, b.config(Config{Workers: 1}))
		in := [][]byte{[]byte("7"), []byte("abc"), []byte("112272535095293"), []byte("-1"), []byte("8")}
		out := mapTest(t, s, context.Background(), "primes", in, 2)
		for i, r := range out {
			bad := i == 1 || i == 3
			if bad != errors.Is(r.Err, worker.ErrBadInput) || !bad && r.Err != nil {
				t.Errorf("input %q: %q %v", in[i], r.Output, r.Err)
			}
		}
		out = mapTest(t, s, context.Background(), "panic", inputs(3, strconv.Itoa), 3)
		for i, r := range out {
			var p *worker.PanicError
			if !errors.As(r.Err, &p) || p.Value != strconv.Itoa(i) {
				t.Errorf("panic %d: %v", i, r.Err)
			}
		}
		out = mapTest(t, s, context.Background(), "nope", inputs(3, strconv.Itoa), 2)
		for _, r := range out {
			if !errors.Is(r.Err, worker.ErrUnknownTask) {
				t.Errorf("unknown task: %v", r.Err)
			}
		}
	})
}

// A chunk whose worker is killed mid-chunk runs again on a fresh worker;
// every input still gets exactly one result.
func TestMapChunkRetriedAfterKill(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b testBackend) {
		for _, inFlight := range []int{1, 4} {
			t.Run(fmt.Sprintf("inflight=%d", inFlight), func(t *testing.T) { mapRetriedAfterKill(t, b, inFlight) })
		}
	})
}

func mapRetriedAfterKill(t *testing.T, b testBackend, inFlight int) {
	var ev finished
	s := newTest(t, b.config(Config{Workers: 1, InFlight: inFlight, OnEvent: ev.event}))
	in := [][]byte{[]byte("1ms"), []byte("300ms")}
	done := make(chan []mapOut, 1)
	go func() { done <- mapTest(t, s, context.Background(), "sleep", in, 2) }()
	waitBusy(t, s, 1)
	time.Sleep(50 * time.Millisecond) // into the second sleep; not needed for correctness
	if err := s.Kill(1); err != nil {
		t.Fatal(err)
	}
	var out []mapOut
	select {
	case out = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Map did not return")
	}
	for i, r := range out {
		if r.Err != nil {
			t.Errorf("input %d: %v", i, r.Err)
		}
	}
	by := ev.results()
	if len(by) != 2 {
		t.Fatalf("%d tasks finished, want 2", len(by))
	}
	for id, rs := range by {
		if len(rs) != 1 {
			t.Errorf("task %d: %d results, want one", id, len(rs))
		}
	}
}

// An input that kills its worker each time is retried, then quarantined;
// the other inputs of its chunk, before and after it, are not charged and
// end ok (issue 9: blame only the task that was executing).
func TestMapChunkThatKillsItsWorker(t *testing.T) {
	for _, inFlight := range []int{1, 4} {
		t.Run(fmt.Sprintf("inflight=%d", inFlight), func(t *testing.T) {
			s := newTest(t, Config{Workers: 2, Retries: 3, PoisonAfter: 2, InFlight: inFlight})
			out := mapTest(t, s, context.Background(), crashyTask, inputs(9, strconv.Itoa), 3)
			for i, r := range out {
				if (i == 4) != errors.Is(r.Err, ErrQuarantined) || i != 4 && string(r.Output) != strconv.Itoa(i) {
					t.Errorf("input %d: %q %v", i, r.Output, r.Err)
				}
			}
		})
	}
}

func TestMapContextCancellation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b testBackend) {
		for _, inFlight := range []int{1, 4} {
			t.Run(fmt.Sprintf("inflight=%d", inFlight), func(t *testing.T) { mapCancelled(t, b, inFlight) })
		}
	})
}

func mapCancelled(t *testing.T, b testBackend, inFlight int) {
	s := newTest(t, b.config(Config{Workers: 1, InFlight: inFlight}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []mapOut, 1)
	go func() { done <- mapTest(t, s, ctx, "sleep", inputs(6, func(int) string { return "1h" }), 2) }()
	waitBusy(t, s, 1)
	cancel()
	var out []mapOut
	select {
	case out = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Map did not return after its context was cancelled")
	}
	for i, r := range out {
		if !errors.Is(r.Err, context.Canceled) {
			t.Errorf("input %d: %v, want Canceled", i, r.Err)
		}
	}
	after := mapTest(t, s, context.Background(), "echo", inputs(3, strconv.Itoa), 2)
	if after[2].Err != nil {
		t.Errorf("Map after a cancelled one: %v", after[2].Err)
	}
}

// Map refuses a chunksize below 1, as Python's map raises ValueError.
func TestMapRefusesABadChunksize(t *testing.T) {
	s := newTest(t, Config{Mode: ModeThread, Workers: 1})
	for _, size := range []int{0, -1} {
		n := 0
		for _, err := range s.Map(context.Background(), "echo", slices.Values(inputs(3, strconv.Itoa)), size) {
			n++
			if !errors.Is(err, ErrChunksize) {
				t.Errorf("chunksize %d: %v, want ErrChunksize", size, err)
			}
		}
		if n != 1 {
			t.Errorf("chunksize %d: %d results, want the one error", size, n)
		}
	}
}

func TestMapAfterStopAndWithoutPool(t *testing.T) {
	s := newTest(t, Config{Mode: ModeThread, Pools: []Pool{{Name: "p", Workers: 1, Tasks: []string{"echo"}}}})
	out := mapTest(t, s, context.Background(), "primes", inputs(2, strconv.Itoa), 1)
	if !errors.Is(out[0].Err, ErrNoPool) || !errors.Is(out[1].Err, ErrNoPool) {
		t.Errorf("no pool: %v", out)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	out = mapTest(t, s, context.Background(), "echo", inputs(3, strconv.Itoa), 2)
	if !errors.Is(out[0].Err, ErrStopped) {
		t.Errorf("after Stop: %v", out)
	}
}

// An input over the payload limit fails alone, with the error that names
// the limit; its neighbours run.
func TestMapInputOverThePayloadLimit(t *testing.T) {
	const limit = 64 << 10
	forEachBackend(t, func(t *testing.T, b testBackend) {
		if b.mode == ModeThread {
			t.Skip("thread mode has no payload limit")
		}
		s := newTest(t, b.config(Config{Workers: 1, MaxPayload: limit}))
		in := [][]byte{[]byte("a"), make([]byte, limit+1), []byte("c"), make([]byte, limit/2), make([]byte, limit/2)}
		out := mapTest(t, s, context.Background(), "echo", in, 10)
		for i, r := range out {
			if (i == 1) != errors.Is(r.Err, worker.ErrTooLarge) || i != 1 && len(r.Output) != len(in[i]) {
				t.Errorf("input %d (%d bytes): %d bytes back, %v", i, len(in[i]), len(r.Output), r.Err)
			}
		}
	})
}

// crashyTask echoes its input, except that input "4" ends the worker
// process with status 3 (in process mode only: the test runs it there).
const crashyTask = "test-crashy"

func init() {
	worker.Register(crashyTask, func(_ context.Context, in []byte) ([]byte, error) {
		if string(in) == "4" {
			os.Exit(3)
		}
		return in, nil
	})
}
