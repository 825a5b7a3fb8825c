package supervisor

import (
	"context"
	"time"

	"github.com/procpool/supervisor/worker"
)

// A job is a submitted task on its way to its one result, or a chunk of a
// Map call on its way to the results of its inputs. It keeps the caller's
// context, against the usual rule, because it is a request in flight, as
// http.Request is: the context must travel with it through the queue to
// whichever worker runs it.
type job struct {
	id    uint64
	task  worker.Task // a chunk's first task, for WorkerInfo
	chunk *chunk      // nil for a submitted task; see map.go
	ctx   context.Context
	fut   *Future

	attempts int           // workers it has been given to
	kills    int           // workers that died, unplanned, while running it
	forgiven int           // attempts ended by kills on request, which do not use up Retries
	queuedAt time.Time     // when it last entered the queue
	queued   time.Duration // time spent queued, over all attempts
}

// tasks appends what the job asks a worker to run to ts.
func (j *job) tasks(ts []worker.Task) []worker.Task {
	if j.chunk != nil {
		return j.chunk.appendTasks(ts)
	}
	return append(ts, j.task)
}

// An attempt is a job running on a worker.
type attempt struct {
	job    *job
	ctx    context.Context
	cancel context.CancelCauseFunc
	stop   context.CancelFunc // ends the timeout's timer; nil without one
	shared bool               // ctx is the slot's shared context: not ours to cancel
	began  time.Time
	// ended is closed when the attempt is over. It is made only for
	// someone who waits for that (cancelRunning's callers), under the
	// slot's lock: a channel per task was a tenth of the allocations of a
	// pipelined task.
	ended chan struct{}
}

// release frees what the attempt's context holds once the attempt is over.
func (a *attempt) release() {
	if a.stop != nil {
		a.stop()
	}
	if !a.shared {
		a.cancel(nil)
	}
}
