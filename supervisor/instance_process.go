package supervisor

import (
	"context"
	"errors"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/procpool/supervisor/internal/backend"
	"github.com/procpool/supervisor/internal/process"
	"github.com/procpool/supervisor/worker"
)

// processInstance is a worker process.
type processInstance struct {
	*process.Worker

	mu      sync.Mutex
	cancels map[uint64]context.CancelFunc // each batch in flight's, by the supervisor's ticket
	tickets map[uint64]uint64             // the worker's ticket → the supervisor's
	early   map[uint64]bool               // tickets cancelled before they were sent
	ans     backend.Answer
	res     []worker.Result
	errs    []error
}

func (s *Supervisor) startProcess(ctx context.Context, id int) (instance, error) {
	w, err := process.Start(ctx, process.Config{
		ID:           id,
		Command:      s.cfg.WorkerCommand,
		IPC:          process.IPC(s.cfg.IPC),
		MaxPayload:   s.cfg.MaxPayload,
		Grace:        s.cfg.Grace,
		StartTimeout: s.cfg.StartTimeout,
		Logger:       s.cfg.Logger,
		LogLevel:     s.cfg.WorkerLogLevel,
	})
	if err != nil {
		return nil, err
	}
	return &processInstance{Worker: w, cancels: map[uint64]context.CancelFunc{},
		tickets: map[uint64]uint64{}, early: map[uint64]bool{}}, nil
}

func (p *processInstance) Send(ticket uint64, tasks []worker.Task, deadline time.Time) {
	ctx, cancel := context.WithCancel(context.Background())
	if !deadline.IsZero() {
		var stop context.CancelFunc
		ctx, stop = context.WithDeadline(ctx, deadline)
		inner := cancel
		cancel = func() { stop(); inner() }
	}
	p.mu.Lock()
	if p.early[ticket] {
		delete(p.early, ticket)
		cancel()
	}
	p.cancels[ticket] = cancel
	p.mu.Unlock()
	t := p.Worker.Send(ctx, tasks)
	p.mu.Lock()
	p.tickets[t] = ticket
	p.mu.Unlock()
}

func (p *processInstance) Cancel(ticket uint64) {
	p.mu.Lock()
	cancel, ok := p.cancels[ticket]
	if !ok {
		p.early[ticket] = true
	}
	p.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

func (p *processInstance) Recv() *backend.Answer {
	a := p.Worker.Recv()
	p.mu.Lock()
	ticket := p.tickets[a.Ticket]
	delete(p.tickets, a.Ticket)
	cancel := p.cancels[ticket]
	delete(p.cancels, ticket)
	p.mu.Unlock()
	if cancel != nil {
		defer cancel()
	}
	p.ans = backend.Answer{Ticket: ticket, Err: a.Err, Started: backend.Unknown, Finished: backend.Unknown}
	if a.Err != nil {
		return &p.ans
	}
	n := a.Len()
	if cap(p.res) < n {
		p.res, p.errs = make([]worker.Result, n), make([]error, n)
	}
	p.ans.Results, p.ans.Errs = p.res[:n], p.errs[:n]
	a.Fill(p.ans.Results, p.ans.Errs)
	return &p.ans
}

func (p *processInstance) Kill() error {
	err := p.Signal(syscall.SIGKILL)
	if errors.Is(err, os.ErrProcessDone) {
		return nil
	}
	return err
}

func signalName(sig syscall.Signal) string { return process.SignalName(sig) }

// workerError is the error of a task whose worker died under it, death
// being the backend's error for the lost batch: a *WorkerError for a
// worker process, with how it ended and why; for a goroutine, which cannot
// die, death itself (it was abandoned).
func (sl *slot) workerError(l *life, death error) error {
	var exit *process.ExitError
	if !errors.As(l.inst.Err(), &exit) {
		return death
	}
	e := &WorkerError{Worker: sl.id, PID: exit.PID, Code: exit.Code, Signal: exit.Signal,
		Output: exit.Stderr, Cause: l.plannedCause(), err: death}
	return e
}

// usageOf is what a worker process consumed over its life.
func usageOf(inst instance) process.Usage {
	if p, ok := inst.(*processInstance); ok {
		return p.Usage()
	}
	return process.Usage{}
}

// inWorker reports whether this process was started as a worker: then
// New must not start workers of its own, or every worker would start more
// (a program whose main forgets ServeWorker).
func inWorker() bool {
	return os.Getenv(process.Handshake.MagicCookieKey) == process.Handshake.MagicCookieValue
}
