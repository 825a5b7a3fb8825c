package cluster

import (
	"context"
	"errors"
	"syscall"

	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

var (
	// ErrConfig is wrapped by the error for a configuration that cannot
	// be used.
	ErrConfig = errors.New("bad cluster configuration")

	// ErrQueueFull is wrapped by the error of a task whose submit gave up
	// (its context ended) while the tasks stream was full.
	ErrQueueFull = errors.New("cluster queue full")

	// ErrHostLost is wrapped by the error of a task whose last allowed
	// delivery ended without an answer: its agent died, froze or was cut off.
	// The error also wraps supervisor.ErrQuarantined when the deliveries
	// reached PoisonAfter.
	ErrHostLost = errors.New("host lost")

	// ErrKill, as the cause of the context given to Pool.Run, asks for the
	// task's worker to be killed at once rather than walk the kill ladder.
	ErrKill = errors.New("worker killed at once")

	// ErrUnreachable is wrapped by Stop's error when JetStream could not be
	// reached to cancel what was left.
	ErrUnreachable = errors.New("jetstream unreachable")
)

// A wireError is an error as it crosses the network: its text, which of the
// known sentinels it wraps (so that errors.Is answers the same on the other
// side), and the details of a panic or a dead worker.
type wireError struct {
	Msg    string       `json:"msg"`
	Is     []string     `json:"is,omitempty"`
	Stack  string       `json:"stack,omitempty"`
	Panic  bool         `json:"panic,omitempty"`
	Worker *wireWorkerE `json:"worker_error,omitempty"`
}

type wireWorkerE struct {
	Worker int      `json:"worker"`
	PID    int      `json:"pid"`
	Code   int      `json:"code"`
	Signal int      `json:"signal,omitempty"`
	Output []string `json:"output,omitempty"`
	Cause  int      `json:"cause,omitempty"`
}

// sentinels are the errors whose identity survives the trip, by name.
// Names are part of the wire format: add, never rename.
var sentinels = []struct {
	name string
	err  error
}{
	{"canceled", context.Canceled},
	{"deadline", context.DeadlineExceeded},
	{"timeout", supervisor.ErrTimeout},
	{"quarantined", supervisor.ErrQuarantined},
	{"memory", supervisor.ErrMemoryLimit},
	{"stopped", supervisor.ErrStopped},
	{"abandoned", supervisor.ErrAbandoned},
	{"no_pool", supervisor.ErrNoPool},
	{"bad_input", worker.ErrBadInput},
	{"unknown_task", worker.ErrUnknownTask},
	{"too_large", worker.ErrTooLarge},
	{"host_lost", ErrHostLost},
	{"queue_full", ErrQueueFull},
}

func encodeError(err error) *wireError {
	if err == nil {
		return nil
	}
	w := &wireError{Msg: err.Error()}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			w.Is = append(w.Is, s.name)
		}
	}
	var p *worker.PanicError
	if errors.As(err, &p) {
		w.Panic, w.Msg, w.Stack = true, p.Value, p.Stack
	}
	var we *supervisor.WorkerError
	if errors.As(err, &we) {
		w.Worker = &wireWorkerE{Worker: we.Worker, PID: we.PID, Code: we.Code, Signal: int(we.Signal),
			Output: we.Output, Cause: int(we.Cause)}
	}
	return w
}

func (w *wireError) decode() error {
	if w == nil {
		return nil
	}
	if w.Panic {
		return &worker.PanicError{Value: w.Msg, Stack: w.Stack}
	}
	e := &remoteError{msg: w.Msg}
	for _, name := range w.Is {
		for _, s := range sentinels {
			if s.name == name {
				e.wraps = append(e.wraps, s.err)
			}
		}
	}
	if we := w.Worker; we != nil {
		e.wraps = append(e.wraps, &supervisor.WorkerError{Worker: we.Worker, PID: we.PID, Code: we.Code,
			Signal: syscall.Signal(we.Signal), Output: we.Output, Cause: supervisor.Cause(we.Cause)})
	}
	return e
}

// A remoteError is an error that happened on another host: the text is the
// original's, and it wraps the sentinels and the *supervisor.WorkerError the
// original wrapped.
type remoteError struct {
	msg   string
	wraps []error
}

func (e *remoteError) Error() string   { return e.msg }
func (e *remoteError) Unwrap() []error { return e.wraps }
