package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/procpool/supervisor/internal/frame"
	"github.com/procpool/supervisor/internal/workerpb"
	"github.com/procpool/supervisor/worker"
)

// A Worker is a running worker process. Its methods are safe for
// concurrent use.
type Worker struct {
	cfg     Config
	id      atomic.Int64
	pid     int
	startup time.Duration

	client *plugin.Client
	proto  plugin.ClientProtocol
	rpc    workerpb.WorkerClient
	runner *procRunner
	path   dataPath
	data   *os.File    // the host's end of the socketpair, or of the pipe out, unless conn owns it
	dataIn *os.File    // the host's end of the pipe in, on the frame path, unless conn owns it
	conn   *frame.Conn // the frame data path's connection, if in use
	tail   *outputTail
	// progress is the record of the tasks the worker started and finished,
	// shared with it; final is what it said when the worker died.
	progress *progressMap
	final    progress
	crashing atomic.Bool // the worker's stderr is a Go crash's trace from here on

	// life ends when the process does; calls on the data path use it
	// instead of a task's context, see unaryPath.
	life    context.Context
	endLife context.CancelFunc
	seq     atomic.Uint64
	pipe    pipe    // batches in flight with Send, see pipe.go
	watches watches // the kill ladder's, see watch.go

	done     chan struct{} // closed when the process has exited and been reaped
	released chan struct{} // closed when go-plugin has released what it held for it
	exitErr  *ExitError
	usage    Usage

	stopOnce sync.Once
}

var _ worker.Worker = (*Worker)(nil)

// PID is the worker's process ID.
func (w *Worker) PID() int { return w.pid }

// Startup is how long it took from spawn to the worker's first reply.
func (w *Worker) Startup() time.Duration { return w.startup }

// SetID changes the id the worker's log lines carry.
func (w *Worker) SetID(id int) { w.id.Store(int64(id)) }

// Done is closed when the worker process has exited and been reaped.
func (w *Worker) Done() <-chan struct{} { return w.done }

// Err says how the worker exited, as an *ExitError; nil before Done is
// closed.
func (w *Worker) Err() error {
	select {
	case <-w.done:
		return w.exitErr
	default:
		return nil
	}
}

// Usage is the CPU time and peak RSS of the worker over its life; zero
// before Done is closed.
func (w *Worker) Usage() Usage {
	select {
	case <-w.done:
		return w.usage
	default:
		return Usage{}
	}
}

// watch waits for the process to end and records how it ended. go-plugin
// reads the worker's stderr to EOF before it calls the runner's Wait, so
// waiting for that call, and for the stdout reader's EOF, also waits for
// the last lines of a dying worker. (Polling go-plugin's Exited every
// millisecond instead made a death take 1-2 ms to be seen: with a warm
// spare, most of a replacement's time.)
func (w *Worker) watch() {
	<-w.runner.exited
	t := time.NewTimer(lastWordsWait)
	defer t.Stop()
	for _, c := range []<-chan struct{}{w.runner.waited, w.runner.stdout.done} {
		select {
		case <-c:
		case <-t.C:
		}
	}
	w.exitErr = newExitError(w.pid, w.runner.state, w.runner.sentBefore(), w.tail.Lines())
	w.usage = usageOf(w.runner.state, w.runner.peak.Load())
	w.final = w.progress.final()
	w.endLife()
	w.closeData()
	close(w.done)
	// go-plugin keeps its connection, goroutines and socket directory until
	// its client is killed, which nobody may do for a worker that died by
	// itself: release them now (quickly, the process being gone).
	w.client.Kill()
	close(w.released)
}

// lastWordsWait bounds the wait for a dead worker's output to reach EOF: a
// descendant that left the worker's process group may hold it open.
const lastWordsWait = 250 * time.Millisecond

// awaitDeadline waits, briefly, for ctx's deadline to be seen here too:
// the worker checks the same clock, and may get there first. A deadline
// still well ahead means the task met a deadline of its own, and there is
// nothing to wait for. The wait allows the host's timer to fire late (it
// did by over a millisecond under the race detector).
func awaitDeadline(ctx context.Context) {
	d, ok := ctx.Deadline()
	if !ok || ctx.Err() != nil || time.Until(d) > deadlineSkew {
		return
	}
	t := time.NewTimer(time.Until(d) + deadlineSkew)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// deadlineSkew bounds how far apart the worker's and the host's views of
// one deadline can be: both read the same clock, so only scheduling
// separates them.
const deadlineSkew = 100 * time.Millisecond

// closeData closes the host's end of the socketpair, however it is held.
func (w *Worker) closeData() {
	if w.conn != nil {
		w.conn.Close()
	}
	if w.data != nil {
		w.data.Close()
	}
	if w.dataIn != nil {
		w.dataIn.Close()
	}
}

// Do runs t in the worker. When ctx ends before the task does, Do walks
// the kill ladder: it cancels the task over gRPC, and if the task has not
// returned after the grace, sends SIGTERM to the worker's process group,
// then SIGKILL. So when Do returns, the worker is idle or dead.
func (w *Worker) Do(ctx context.Context, t worker.Task) (worker.Result, error) {
	b, err := w.batch(ctx, []worker.Task{t})
	if err != nil {
		return worker.Result{}, err
	}
	outs, err := w.doWatched(ctx, b)
	if err != nil {
		return worker.Result{PID: w.pid}, w.lost(ctx, b.first, 1)
	}
	return w.result(ctx, &outs[0])
}

// batch numbers tasks for the wire: consecutive sequence numbers (so that
// a Cancel naming any of them reaches their batch) and ctx's deadline. It
// refuses what the transport would refuse, with an error that names the
// limit and the knob that raises it: an input over MaxPayload, or a whole
// batch over the message limit (many inputs together, or so many small
// ones that their envelopes add up). The supervisor's Map keeps chunks
// within the limit, so there this error means one input too large.
func (w *Worker) batch(ctx context.Context, tasks []worker.Task) (batch, error) {
	d, _ := ctx.Deadline()
	return w.batchAt(d, tasks)
}

// batchAt is batch with the deadline given (zero for none).
func (w *Worker) batchAt(deadline time.Time, tasks []worker.Task) (batch, error) {
	b := batch{tasks: tasks, size: batchHeader}
	for _, t := range tasks {
		if len(t.Input) > w.cfg.MaxPayload {
			return b, tooLarge("input", len(t.Input), w.cfg.MaxPayload)
		}
		b.size += taskSize(t)
		b.large = b.large || len(t.Input) >= largePayload
	}
	if limit := messageLimit(w.cfg.MaxPayload); b.size > limit {
		return b, tooLarge("batch", b.size, limit)
	}
	n := uint64(len(tasks))
	b.first = w.seq.Add(n) - n + 1
	b.deadline = deadline
	return b, nil
}

// result turns one outcome into what Do returns for it.
func (w *Worker) result(ctx context.Context, o *outcome) (worker.Result, error) {
	res, err := o.result(w.pid)
	if errors.Is(err, context.DeadlineExceeded) {
		awaitDeadline(ctx) // the worker may see the deadline pass a moment before the host does
	}
	if err != nil && ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		// The worker cannot tell a deadline from the Cancel the host sends
		// when it passes (either may reach the task first); the host can.
		err = ctx.Err()
	}
	return res, err
}

// doWatched sends b and walks the kill ladder if ctx ends before the
// answer comes (see watch.go).
func (w *Worker) doWatched(ctx context.Context, b batch) ([]outcome, error) {
	wt := w.watchCall(ctx, b.first)
	outs, err := w.path.do(b)
	w.unwatch(wt, b.first)
	return outs, err
}

// Signal sends sig to the worker's process group. It returns
// os.ErrProcessDone once the worker has been reaped.
func (w *Worker) Signal(sig syscall.Signal) error { return w.runner.signalGroup(sig, false) }

// Stop stops the worker gently (go-plugin's Shutdown), then by force: after
// the grace SIGTERM to the group, then SIGKILL, and SIGKILL at once when ctx
// ends. It returns when the worker has been reaped and go-plugin cleaned up
// (or ctx ended: then with an error). It is safe to call more than once.
func (w *Worker) Stop(ctx context.Context) error {
	w.stopOnce.Do(func() {
		_ = w.path.close()
		go func() { _ = w.proto.Close() }() // blocks until the worker answers or dies
	})
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		select {
		case <-w.done:
			return w.cleanup(ctx)
		case <-ctx.Done():
			_ = w.runner.signalGroup(syscall.SIGKILL, true)
			<-w.done
			return w.cleanup(ctx)
		case <-time.After(w.cfg.Grace):
		}
		_ = w.runner.signalGroup(sig, true)
	}
	<-w.done
	return w.cleanup(ctx)
}

// cleanup waits until go-plugin has released what it held for the worker
// (see watch), or until ctx ends: go-plugin waits for the worker's stderr
// to reach EOF, which a descendant that left the worker's process group
// can put off.
func (w *Worker) cleanup(ctx context.Context) error {
	select {
	case <-w.released:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop worker %d: go-plugin still holds its connection: %w", w.pid, ctx.Err())
	}
}
