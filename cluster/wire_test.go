package cluster

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

func TestJobMessageRoundTrip(t *testing.T) {
	j := &job{run: "R1", id: 42, name: "echo", inputs: [][]byte{[]byte("a"), {}, []byte("ccc")},
		retries: -1, poison: 3, timeout: 1500 * time.Millisecond}
	m := j.msg()
	got, err := parseJob(m.Subject, m.Header, m.Data)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", j) {
		t.Errorf("parsed %+v, want %+v", got, j)
	}
	if j.limit() != 1 {
		t.Errorf("limit with no retries = %d, want 1", j.limit())
	}
}

func TestMalformedJobMessages(t *testing.T) {
	good := (&job{run: "R", id: 1, name: "echo", inputs: [][]byte{[]byte("x")}, retries: 1, poison: 2}).msg()
	cases := []struct {
		name    string
		subject string
		mutate  func()
		foreign bool
	}{
		{"foreign subject", "elsewhere.R.1", func() {}, true},
		{"bad job number", subjectTasks + "R.x", func() {}, true},
		{"no limits", "", func() { good.Header.Del(hdrLimits) }, false},
		{"truncated input", "", func() { good.Data = good.Data[:1] }, false},
		{"bad timeout", "", func() { good.Header.Set(hdrTimeout, "soon") }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := (&job{run: "R", id: 1, name: "echo", inputs: [][]byte{[]byte("xyz")}, retries: 1, poison: 2}).msg()
			good = m
			c.mutate()
			subject := m.Subject
			if c.subject != "" {
				subject = c.subject
			}
			j, err := parseJob(subject, m.Header, m.Data)
			if !errors.Is(err, errBadMessage) {
				t.Fatalf("err = %v, want a malformed message", err)
			}
			if (j == nil) != c.foreign {
				t.Errorf("job %+v; want one only when the subject is ours", j)
			}
		})
	}
}

// Errors keep their identity across the network, as across the process
// boundary: errors.Is and errors.As answer the same on the client.
func TestErrorsCrossTheWire(t *testing.T) {
	werr := &supervisor.WorkerError{Worker: 2, PID: 99, Code: -1, Signal: syscall.SIGKILL, Output: []string{"x"}, Cause: supervisor.Cause(1)}
	cases := []struct {
		name string
		err  error
		is   []error
	}{
		{"timeout", fmt.Errorf("%w after 1s; %w", supervisor.ErrTimeout, context.DeadlineExceeded),
			[]error{supervisor.ErrTimeout, context.DeadlineExceeded}},
		{"quarantined", fmt.Errorf("%w: killed 2; the last: %w", supervisor.ErrQuarantined, werr),
			[]error{supervisor.ErrQuarantined}},
		{"host lost", fmt.Errorf("%w: %w", supervisor.ErrQuarantined, ErrHostLost), []error{ErrHostLost, supervisor.ErrQuarantined}},
		{"bad input", fmt.Errorf("%w for primes", worker.ErrBadInput), []error{worker.ErrBadInput}},
		{"memory", fmt.Errorf("%w: 300 MiB; %w", supervisor.ErrMemoryLimit, werr), []error{supervisor.ErrMemoryLimit}},
		{"plain", errors.New("task failed"), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := encodeError(c.err).decode()
			if got.Error() != c.err.Error() {
				t.Errorf("text %q, want %q", got, c.err)
			}
			for _, s := range c.is {
				if !errors.Is(got, s) {
					t.Errorf("%v does not wrap %v", got, s)
				}
			}
			var w1, w2 *supervisor.WorkerError
			if errors.As(c.err, &w1) != errors.As(got, &w2) || (w1 != nil && fmt.Sprint(*w1) != fmt.Sprint(*w2)) {
				t.Errorf("worker error %+v, want %+v", w2, w1)
			}
		})
	}
	p := encodeError(&worker.PanicError{Value: "boom", Stack: "stack"}).decode()
	var pe *worker.PanicError
	if !errors.As(p, &pe) || pe.Value != "boom" || pe.Stack != "stack" {
		t.Errorf("panic came back as %#v", p)
	}
	if encodeError(nil).decode() != nil {
		t.Error("nil came back non-nil")
	}
}

func TestFencedAgentKillsItsWorkers(t *testing.T) {
	srv := startServer(t)
	a := startAgent(t, srv, "a", supervisor.Config{Mode: supervisor.ModeProcess}, shortLease)
	e := newExecutor(t, srv, Config{})
	f := e.Submit(context.Background(), task("hang", "")) // ignores cancellation
	a.next(t, "held")
	pid := a.pool.(*localPool).s.Stats().Workers[0].PID // its only worker
	a.lose()
	select {
	case x := <-a.exits:
		if x.PID != pid || x.Reason != "killed by SIGKILL" {
			t.Errorf("worker pid %d ended: %s; want pid %d killed by SIGKILL", x.PID, x.Reason, pid)
		}
	case <-time.After(testTimeout):
		t.Fatal("the fenced agent's worker was not killed")
	}
	if ev := a.next(t, "fenced"); ev.job != f.ID() {
		t.Errorf("settled %+v", ev)
	}
}
