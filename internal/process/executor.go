package process

import (
	"context"
	"sync"
	"time"

	"github.com/procpool/supervisor/worker"
)

// A request is one task as a worker process receives it.
type request struct {
	seq      uint64
	task     worker.Task
	deadline time.Time // zero for none
}

// maxEarlyCancels bounds the memory kept for cancels that arrive before
// their task starts (or after it ended, which looks the same from here).
const maxEarlyCancels = 4096

// An executor runs tasks inside a worker process and lets Cancel reach
// them, whichever data path delivered them. It is safe for concurrent use.
type executor struct {
	maxPayload int

	mu      sync.Mutex
	running map[uint64]context.CancelFunc
	early   map[uint64]struct{} // cancelled before they started
}

func newExecutor(maxPayload int) *executor {
	return &executor{
		maxPayload: maxPayload,
		running:    map[uint64]context.CancelFunc{},
		early:      map[uint64]struct{}{},
	}
}

// run runs one task under a context that parent, the task's deadline and
// Cancel can all end, and checks the output against the payload limit.
func (e *executor) run(parent context.Context, r request) outcome {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	if !r.deadline.IsZero() {
		var cancelDeadline context.CancelFunc
		ctx, cancelDeadline = context.WithDeadline(ctx, r.deadline)
		defer cancelDeadline()
	}
	e.started(r.seq, cancel)
	res, err := worker.Run(ctx, r.task)
	e.finished(r.seq)
	if err == nil && len(res.Output) > e.maxPayload {
		res.Output, err = nil, tooLarge("output", len(res.Output), e.maxPayload)
	}
	return newOutcome(r.seq, res, err)
}

func (e *executor) started(seq uint64, cancel context.CancelFunc) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.early[seq]; ok {
		delete(e.early, seq)
		cancel()
		return
	}
	e.running[seq] = cancel
}

func (e *executor) finished(seq uint64) {
	e.mu.Lock()
	delete(e.running, seq)
	e.mu.Unlock()
}

// cancel cancels running tasks and remembers the others in case they have
// not started yet.
func (e *executor) cancel(seqs []uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, seq := range seqs {
		if cancel, ok := e.running[seq]; ok {
			cancel()
			continue
		}
		if len(e.early) >= maxEarlyCancels {
			clear(e.early)
		}
		e.early[seq] = struct{}{}
	}
}

// cancelAll cancels every running task: the worker is going away.
func (e *executor) cancelAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, cancel := range e.running {
		cancel()
	}
}
