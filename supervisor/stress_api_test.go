//go:build unix

package supervisor

import (
	"context"
	"os/exec"
	"syscall"
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
	// command, if set, replaces the test binary's own worker command: a
	// test that needs to know when a worker process is being spawned wraps
	// testWorkerCommand.
	command func() (*exec.Cmd, error)
}

// newPool starts a supervisor with real workers (test binary re-executed,
// see main_test.go). The caller owns stopping it.
func newPool(c poolConfig) (*Supervisor, error) {
	cfg := Config{
		Mode: c.mode, IPC: c.ipc, Workers: c.workers, InFlight: c.inFlight,
		Retries: c.retries, PoisonAfter: c.poisonAfter, MaxTasksPerWorker: c.maxTasks,
		Spares: c.spares, Timeout: c.timeout, Grace: c.grace, MaxRestarts: c.maxRestarts,
		OnEvent: c.onEvent, WorkerCommand: c.command,
	}
	if cfg.WorkerCommand == nil {
		cfg.WorkerCommand = testWorkerCommand
	}
	if cfg.Grace == 0 {
		cfg.Grace = 200 * time.Millisecond
	}
	return New(cfg)
}

// startPool is newPool for a test: it fails the test if the pool cannot
// start, and stops the pool when the test ends, whatever happened.
func startPool(t testing.TB, c poolConfig) *Supervisor {
	t.Helper()
	p, err := newPool(c)
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
	f      *Future
	cancel context.CancelFunc // EMULATED: today a future is cancelled through its Submit context
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

// cancelFuture cancels h's task. EMULATED: today this cancels the context
// the task was submitted with (there is no Future.Cancel); the supervisor
// only notices once a worker takes the task, which is finding 9.
func cancelFuture(h *handle) { h.cancel() }

// release frees what h holds once its result is in.
func (h *handle) release() { h.cancel() }

// done is closed when h's task has its result.
func (h *handle) done() <-chan struct{} { return h.f.Done() }

// result is h's result; call it once done is closed.
func (h *handle) result() Result { return h.f.Result() }

// mapTasks runs Map.
func mapTasks(p *Supervisor, ctx context.Context, name string, inputs [][]byte, chunk int) ([]MapResult, error) {
	return p.Map(ctx, name, inputs, chunk)
}

// killWorker kills worker id on request. Today Kill takes a signal; the
// rewrite's Kill(id) does not.
func killWorker(p *Supervisor, id int) error { return p.Kill(id, syscall.SIGKILL) }

// addWorker adds a worker to the first pool.
func addWorker(p *Supervisor) (int, error) { return p.AddWorker("") }

// removeWorker retires worker id.
func removeWorker(p *Supervisor, id int) error { return p.RemoveWorker(id) }

// setPaused pauses or resumes dispatch.
func setPaused(p *Supervisor, paused bool) { p.SetPaused(paused) }

// stopPool stops p; ctx bounds the gentle part.
func stopPool(p *Supervisor, ctx context.Context) error { return p.Stop(ctx) }

// poolDone is closed once p has stopped.
func poolDone(p *Supervisor) <-chan struct{} { return p.Done() }

// workerPIDs maps each current worker id to its PID (the test process's
// own in thread mode; 0 while a worker has none).
func workerPIDs(p *Supervisor) map[int]int {
	out := map[int]int{}
	for _, w := range p.Workers() {
		out[w.ID] = w.PID
	}
	return out
}

// workerStates maps each listed worker id to its state.
func workerStates(p *Supervisor) map[int]WorkerState {
	out := map[int]WorkerState{}
	for _, w := range p.Workers() {
		out[w.ID] = w.State
	}
	return out
}

// busyWorkers lists the ids of the workers running a task.
func busyWorkers(p *Supervisor) []int {
	var out []int
	for _, w := range p.Workers() {
		if w.State == StateBusy {
			out = append(out, w.ID)
		}
	}
	return out
}

// readyWorkers counts the workers that have a live worker (idle or busy).
func readyWorkers(p *Supervisor) int {
	n := 0
	for _, w := range p.Workers() {
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
	for _, r := range p.Processes() {
		out = append(out, r.PID)
	}
	return out
}

// statusCounts is how many tasks ended with each status.
func statusCounts(p *Supervisor) map[Status]int { return p.Counts() }

// graceOf is the kill ladder's step in use.
func graceOf(p *Supervisor) time.Duration { return p.Config().Grace }
