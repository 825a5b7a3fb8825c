package process

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/procpool/supervisor/internal/backend"
	"github.com/procpool/supervisor/worker"
)

func task(name, input string) worker.Task { return worker.Task{Name: name, Input: []byte(input)} }

func doBatch(t *testing.T, w *Worker, ctx context.Context, tasks ...worker.Task) ([]worker.Result, []error, error) {
	t.Helper()
	res, errs := make([]worker.Result, len(tasks)), make([]error, len(tasks))
	err := w.DoBatch(ctx, tasks, res, errs)
	return res, errs, err
}

func TestDoBatchKeepsOrderAndErrors(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		res, errs, err := doBatch(t, w, context.Background(),
			task("echo", "a"), task("fail", "mine"), task("primes", "abc"), task("panic", "boom"), task("echo", "b"))
		if err != nil {
			t.Fatal(err)
		}
		if string(res[0].Output) != "a" || errs[0] != nil || string(res[4].Output) != "b" || errs[4] != nil {
			t.Errorf("echoes: %q %v, %q %v", res[0].Output, errs[0], res[4].Output, errs[4])
		}
		if errs[1] == nil || errs[1].Error() != "mine" {
			t.Errorf("task error: %v", errs[1])
		}
		if !errors.Is(errs[2], worker.ErrBadInput) {
			t.Errorf("bad input: %v", errs[2])
		}
		var p *worker.PanicError
		if !errors.As(errs[3], &p) || p.Value != "boom" {
			t.Errorf("panic: %v", errs[3])
		}
		for i, r := range res {
			if r.PID != w.PID() {
				t.Errorf("task %d ran in pid %d, worker is %d", i, r.PID, w.PID())
			}
		}
	})
}

// When the batch's context ends, the running task is cancelled and the
// ones after it never start; the worker carries on.
func TestDoBatchCancellationStopsTheRest(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		res, errs, err := doBatch(t, w, ctx, task("echo", "a"), task("sleep", "1h"), task("echo", "c"))
		if err != nil {
			t.Fatal(err)
		}
		if errs[0] != nil || string(res[0].Output) != "a" {
			t.Errorf("task before the deadline: %q %v", res[0].Output, errs[0])
		}
		for _, i := range []int{1, 2} {
			if !errors.Is(errs[i], context.DeadlineExceeded) {
				t.Errorf("task %d: %v, want DeadlineExceeded", i, errs[i])
			}
		}
		if res[2].Exec != 0 {
			t.Errorf("the task after the deadline ran for %v", res[2].Exec)
		}
		if _, err := w.Do(context.Background(), task("echo", "x")); err != nil {
			t.Errorf("worker did not carry on: %v", err)
		}
	})
}

func TestDoBatchKillLadder(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, errs, err := doBatch(t, w, ctx, task("echo", "a"), task("hang", ""))
		if err == nil && errors.Is(errs[1], context.DeadlineExceeded) && errors.Is(errs[0], context.DeadlineExceeded) {
			// The worker saw the deadline pass before it began: nothing
			// ran, so there is no ladder to test on a machine this busy.
			t.Skip("the deadline passed before the batch reached the worker")
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want the batch lost with DeadlineExceeded", err)
		}
		<-w.Done()
		var exit *ExitError
		if !errors.As(w.Err(), &exit) || exit.Signal != syscall.SIGTERM {
			t.Fatalf("exit %v, want death by SIGTERM", w.Err())
		}
	})
}

func TestDoBatchWorkerDeath(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		_, _, err := doBatch(t, w, context.Background(), task("echo", "a"), task("exit", "3"), task("echo", "b"))
		var exit *ExitError
		if !errors.As(err, &exit) || exit.Code != 3 {
			t.Fatalf("got %v, want the batch lost with exit status 3", err)
		}
	})
}

// Batches pipelined with Send are each answered once, by ticket, with
// their own outputs.
func TestPipelinedBatches(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		const total, inFlight = 300, 16
		want := map[uint64][]string{}
		send := func(i int) {
			var tasks []worker.Task
			var outs []string
			for k := range i%4 + 1 {
				in := fmt.Sprintf("batch %d task %d", i, k)
				tasks = append(tasks, task("echo", in))
				outs = append(outs, in)
			}
			want[send(w, tasks...)] = outs
		}
		sent := 0
		for ; sent < inFlight; sent++ {
			send(sent)
		}
		w.Flush()
		for range total {
			a := w.Recv()
			outs, ok := want[a.Ticket]
			if !ok || a.Err != nil || len(a.Results) != len(outs) {
				t.Fatalf("answer %d (err %v, %d tasks): unexpected or repeated", a.Ticket, a.Err, len(a.Results))
			}
			delete(want, a.Ticket)
			for k, o := range outs {
				if res, err := a.Results[k], a.Errs[k]; err != nil || string(res.Output) != o {
					t.Fatalf("ticket %d task %d: %q %v, want %q", a.Ticket, k, res.Output, err, o)
				}
			}
			if sent < total {
				send(sent)
				sent++
				w.Flush()
			}
		}
	})
}

// When the worker dies with batches in flight, each gets one answer: the
// ones answered before the death their results, the rest the worker's
// exit.
func TestPipelinedWorkerDeath(t *testing.T) {
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTest(t, ipc)
		tickets := []uint64{
			send(w, task("echo", "first")),
			send(w, task("exit", "4")),
			send(w, task("echo", "a"), task("echo", "b")),
			send(w, task("echo", "c")),
		}
		w.Flush()
		got := map[uint64]backend.Answer{}
		for range tickets {
			a := keep(w.Recv())
			if _, dup := got[a.Ticket]; dup {
				t.Fatalf("ticket %d answered twice", a.Ticket)
			}
			got[a.Ticket] = a
		}
		// The unary path runs concurrent calls in any order, so on it any
		// batch but the fatal one may have run before the death. On every
		// path the answer to the first may be lost with the worker: the
		// worker writes its answers to a burst together, after the burst.
		want := [][]string{{"first"}, nil, {"a", "b"}, {"c"}}
		for k, tk := range tickets {
			a := got[tk]
			var exit *ExitError
			lost := errors.As(a.Err, &exit) && exit.Code == 4
			if lost || want[k] == nil || ipc != IPCGRPC && k > 1 {
				if !lost {
					t.Errorf("ticket %d: %v, want lost with exit status 4", tk, a.Err)
				}
				continue
			}
			for i, o := range want[k] {
				if res, err := a.Results[i], a.Errs[i]; err != nil || string(res.Output) != o {
					t.Errorf("ticket %d task %d: %q %v, want %q", tk, i, res.Output, err, o)
				}
			}
		}
	})
}

// Payloads over the limit fail with an error that names the limit and
// Config.MaxPayload, on every path and in every form, never with gRPC's bare
// ResourceExhausted; payloads at the limit go through.
func TestPayloadLimits(t *testing.T) {
	const limit = 1 << 20
	forEachIPC(t, func(t *testing.T, ipc IPC) {
		w := startTestConfig(t, Config{ID: 1, IPC: ipc, MaxPayload: limit})
		ctx := context.Background()
		tooBig := worker.Task{Name: "echo", Input: bytes.Repeat([]byte{'x'}, limit+1)}
		atLimit := worker.Task{Name: "echo", Input: bytes.Repeat([]byte{'y'}, limit)}
		checkTooLarge := func(what string, err error) {
			t.Helper()
			if !errors.Is(err, worker.ErrTooLarge) || !strings.Contains(err.Error(), "Config.MaxPayload") ||
				strings.Contains(err.Error(), "ResourceExhausted") {
				t.Errorf("%s: %v, want ErrTooLarge naming Config.MaxPayload", what, err)
			}
		}
		_, err := w.Do(ctx, tooBig)
		checkTooLarge("Do", err)
		if res, err := w.Do(ctx, atLimit); err != nil || !bytes.Equal(res.Output, atLimit.Input) {
			t.Errorf("Do at the limit: %d bytes, %v", len(res.Output), err)
		}
		_, errs, err := doBatch(t, w, ctx, task("echo", "small"), tooBig)
		if err != nil {
			t.Fatal(err)
		}
		checkTooLarge("DoBatch with an input too large", errs[1])
		// Three inputs that fit the request together, but whose outputs
		// do not all fit the reply: the last one fails alone.
		third := worker.Task{Name: "echo", Input: bytes.Repeat([]byte{'z'}, limit*65/100)}
		res, errs, err := doBatch(t, w, ctx, third, third, third)
		if err != nil {
			t.Fatal(err)
		}
		if errs[0] != nil || errs[1] != nil || len(res[1].Output) != len(third.Input) {
			t.Errorf("outputs that fit: %v %v", errs[0], errs[1])
		}
		checkTooLarge("the output that does not fit the batch's reply", errs[2])
		a := sendAndRecv(t, w, []worker.Task{tooBig})
		err = a.Errs[0]
		checkTooLarge("Send", err)
	})
}

// sendAndRecv sends tasks as one pipelined batch and returns its answer.
func sendAndRecv(t *testing.T, w *Worker, tasks []worker.Task) backend.Answer {
	t.Helper()
	ticket := send(w, tasks...)
	a := keep(w.Recv())
	if a.Ticket != ticket {
		t.Fatalf("answer for ticket %d, want %d", a.Ticket, ticket)
	}
	return a
}

// tickets numbers the test's batches: Send takes the caller's tickets.
var tickets atomic.Uint64

// send sends tasks as one batch with no deadline and returns its ticket.
func send(w *Worker, tasks ...worker.Task) uint64 {
	t := tickets.Add(1)
	w.Send(t, tasks, time.Time{})
	return t
}

// keep copies an answer out of the storage Recv reuses.
func keep(a *backend.Answer) backend.Answer {
	c := *a
	c.Results, c.Errs = slices.Clone(a.Results), slices.Clone(a.Errs)
	return c
}
