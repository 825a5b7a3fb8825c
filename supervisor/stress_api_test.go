//go:build unix

package supervisor

import (
	"context"
	"log/slog"
	"os/exec"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// This file is the only place where the regression tests and the stress
// suite touch the public API. The dispatch core is being rewritten (issue
// 9) and its API changes with it (New(ctx, cfg), Kill without a signal,
// Future.Cancel, a Stats snapshot): adapt these functions, not the tests.
// Where today's API lacks an operation, it is emulated as well as it allows
// and marked EMULATED.

// poolConfig is what the tests vary. Zero values are the library's
// defaults, except Grace (short, so that kill ladders end quickly).
type poolConfig struct {
	mode        Mode
	ipc         IPC
	workers     int
	inFlight    int
	retries     int
	poisonAfter int
	maxTasks    int           // recycle a worker after that many tasks
	spares      int           // warm spares; negative means none
	timeout     time.Duration // per attempt
	grace       time.Duration
	maxRestarts int
	onEvent     func(Event)
	logger      *slog.Logger // the supervisor's, and its workers' output
	// command, if set, replaces the test binary's own worker command: a
	// test that needs to know when a worker process is being spawned wraps
	// testWorkerCommand.
	command func() (*exec.Cmd, error)
}

// newTestPool starts a supervisor with real workers (test binary re-executed,
// see main_test.go). The caller owns stopping it.
func newTestPool(c poolConfig) (*Supervisor, error) {
	cfg := Config{
		Mode: c.mode, IPC: c.ipc, Workers: c.workers, InFlight: c.inFlight,
		Retries: c.retries, PoisonAfter: c.poisonAfter, MaxTasksPerWorker: c.maxTasks,
		Spares: c.spares, Timeout: c.timeout, Grace: c.grace, MaxRestarts: c.maxRestarts,
		OnEvent: c.onEvent, WorkerCommand: c.command, Logger: c.logger,
	}
	if cfg.WorkerCommand == nil {
		cfg.WorkerCommand = testWorkerCommand
	}
	if cfg.Grace == 0 {
		cfg.Grace = 200 * time.Millisecond
	}
	return New(context.Background(), cfg)
}

// startPool is newTestPool for a test: it fails the test if the pool cannot
// start, and stops the pool when the test ends, whatever happened.
func startPool(t testing.TB, c poolConfig) *Supervisor {
	t.Helper()
	p, err := newTestPool(c)
	if err != nil {
		t.Fatalf("new pool: %v", err)
	}
	t.Cleanup(func() { cleanupPool(t, p) })
	return p
}

// cleanupPool stops p within a bound and, if it hangs, kills its workers
// so that the test binary goes on; a hang is reported with every
// goroutine's stack.
func cleanupPool(t testing.TB, p *Supervisor) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { _ = stopPool(p, ctx); close(done) }()
	if !within(done, 15*time.Second) {
		t.Errorf("cleanup: Stop did not return within 15s\n%s", allStacks())
		killAll(workerPIDsEver(p))
	}
}

// handle is a submitted task as the tests hold it.
type handle struct {
	f      *Future[[]byte]
	cancel context.CancelFunc // its Submit context's
}

// submit submits t under ctx; the handle can cancel it.
func submit(p *Supervisor, ctx context.Context, t worker.Task) *handle {
	ctx, cancel := context.WithCancel(ctx)
	return &handle{f: p.Submit(ctx, t), cancel: cancel}
}

// submitDeadline submits t with a deadline d from now.
func submitDeadline(p *Supervisor, d time.Duration, t worker.Task) *handle {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	return &handle{f: p.Submit(ctx, t), cancel: cancel}
}

// cancelFuture cancels h's task with Future.Cancel.
func cancelFuture(h *handle) { h.f.Cancel() }

// release frees what h holds once its result is in.
func (h *handle) release() { h.cancel() }

// done is closed when h's task has its result.
func (h *handle) done() <-chan struct{} { return h.f.Done() }

// result is h's result; call it once done is closed.
func (h *handle) result() Result { return h.f.Result() }

// mapOutcome is one input's outcome, as Map yields it.
type mapOutcome struct {
	Output []byte
	Err    error
}

// mapTasks runs Map and collects what it yields; Map itself fails only for
// a bad chunksize, which the tests never give.
func mapTasks(p *Supervisor, ctx context.Context, name string, inputs [][]byte, chunk int) ([]mapOutcome, error) {
	var out []mapOutcome
	for o, err := range p.Map(ctx, name, slices.Values(inputs), chunk) {
		out = append(out, mapOutcome{o, err})
	}
	return out, nil
}

// mapUntil runs Map and collects what it yields, up to and including input
// brk, where it stops iterating (-1: it does not); after input cancelAt it
// cancels the call's context (-1: it does not). read counts the inputs Map
// took from the sequence: after a break, the tasks it made.
func mapUntil(p *Supervisor, name string, inputs [][]byte, chunk, brk, cancelAt int, read *atomic.Int64) []mapOutcome {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seq := func(yield func([]byte) bool) {
		for _, in := range inputs {
			read.Add(1)
			if !yield(in) {
				return
			}
		}
	}
	var out []mapOutcome
	for o, err := range p.Map(ctx, name, seq, chunk) {
		out = append(out, mapOutcome{o, err})
		if len(out)-1 == cancelAt {
			cancel()
		}
		if len(out)-1 == brk {
			break
		}
	}
	return out
}

// killWorker kills worker id on request.
func killWorker(p *Supervisor, id int) error { return p.Kill(id) }

// addWorker adds a worker to the first pool.
func addWorker(p *Supervisor) (int, error) { return p.AddWorker(context.Background(), "") }

// removeWorker retires worker id.
func removeWorker(p *Supervisor, id int) error { return p.RemoveWorker(id) }

// setPaused pauses or resumes dispatch.
func setPaused(p *Supervisor, paused bool) { p.setPaused(paused) }

// stopPool stops p as a run ends early: queued tasks end at once, running
// ones are cancelled, and ctx bounds the gentle part.
func stopPool(p *Supervisor, ctx context.Context) error {
	return p.Stop(ctx, CancelQueued, CancelRunning)
}

// drainPool stops p the default way: what was submitted runs to its end.
func drainPool(p *Supervisor, ctx context.Context) error { return p.Stop(ctx) }

// poolDone is closed once p has stopped.
func poolDone(p *Supervisor) <-chan struct{} { return p.Done() }

// workerPIDs maps each current worker id to its PID (the test process's
// own in thread mode; 0 while a worker has none).
func workerPIDs(p *Supervisor) map[int]int {
	out := map[int]int{}
	for _, w := range p.Stats().Workers {
		out[w.ID] = w.PID
	}
	return out
}

// workerStates maps each listed worker id to its state.
func workerStates(p *Supervisor) map[int]WorkerState {
	out := map[int]WorkerState{}
	for _, w := range p.Stats().Workers {
		out[w.ID] = w.State
	}
	return out
}

// busyWorkers lists the ids of the workers running a task.
func busyWorkers(p *Supervisor) []int {
	var out []int
	for _, w := range p.Stats().Workers {
		if w.State == StateBusy {
			out = append(out, w.ID)
		}
	}
	return out
}

// readyWorkers counts the workers that have a live worker (idle or busy).
func readyWorkers(p *Supervisor) int {
	n := 0
	for _, w := range p.Stats().Workers {
		if w.State == StateIdle || w.State == StateBusy {
			n++
		}
	}
	return n
}

// workerPIDsEver lists the PIDs of every worker process p has run (its
// spares that never served excepted).
func workerPIDsEver(p *Supervisor) []int {
	var out []int
	for _, r := range p.Stats().Processes {
		out = append(out, r.PID)
	}
	return out
}

// statusCounts is how many tasks ended with each status.
func statusCounts(p *Supervisor) map[Status]int {
	out := map[Status]int{}
	for st, n := range p.Stats().Ended {
		out[st] = int(n)
	}
	return out
}

// graceOf is the kill ladder's step in use.
func graceOf(p *Supervisor) time.Duration { return p.Config().Grace }
