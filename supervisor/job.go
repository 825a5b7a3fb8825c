package supervisor

import (
	"context"
	"time"

	"github.com/procpool/supervisor/worker"
)

// jobState is where a job is. Its owner is the one who may move it on:
// the pool (under its lock) while the job is queued, the slot running it
// while it runs. Only the owner completes a job, exactly once.
type jobState uint8

const (
	jobQueued  jobState = iota // in its pool's queue; owned by the pool
	jobRunning                 // sent to a slot's worker; owned by that slot
	jobDone                    // has its result
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
	fut   *futureState // nil for a chunk

	// Guarded by the pool's lock.
	state  jobState
	slot   *slot       // the slot running it, while it runs
	ticket uint64      // its batch's ticket on that slot's worker
	index  int         // its place in slot.running
	group  *watchGroup // the watch of ctx it is in, see watch.go
	wprev  *job        // its neighbours in group
	wnext  *job

	cause causeCell // why its attempt is being cancelled, once it is

	// Owned by whoever owns the job.
	attempts int           // workers it has run on (a task that never started there does not count)
	deaths   int           // workers that died, unplanned, while it was executing (Config.Retries)
	kills    int           // of those, the deaths it caused itself (Config.PoisonAfter; see ownDeath)
	queuedAt time.Time     // when it last entered the queue
	queued   time.Duration // time spent queued, over all attempts
	began    time.Time     // when its current attempt was sent
	timer    *time.Timer   // its attempt's timeout, if any
	gen      uint32        // its attempt's number, for a timer that fires late
	deadline time.Time     // its attempt's deadline, zero for none
	expired  error         // what the deadline means: ErrTimeout, or the context's DeadlineExceeded

	// A chunk job carries inputs lo to hi of its chunk.
	lo, hi int
}

// tasks appends what the job asks a worker to run to ts.
func (j *job) tasks(ts []worker.Task) []worker.Task {
	if j.chunk != nil {
		return j.chunk.appendTasks(ts, j.lo, j.hi)
	}
	return append(ts, j.task)
}

// size is how many tasks the job carries.
func (j *job) size() int {
	if j.chunk != nil {
		return j.hi - j.lo
	}
	return 1
}
