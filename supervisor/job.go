package supervisor

import (
	"context"
	"time"

	"github.com/procpool/supervisor/worker"
)

// A job is a submitted task on its way to its one result. It keeps the
// caller's context, against the usual rule, because it is a request in
// flight, as http.Request is: the context must travel with it through the
// queue to whichever worker runs it.
type job struct {
	id   uint64
	task worker.Task
	ctx  context.Context
	fut  *Future

	attempts int           // workers it has been given to
	kills    int           // workers that died, unplanned, while running it
	forgiven int           // attempts ended by kills on request, which do not use up Retries
	queuedAt time.Time     // when it last entered the queue
	queued   time.Duration // time spent queued, over all attempts
}

// An attempt is a job running on a worker.
type attempt struct {
	job    *job
	cancel context.CancelCauseFunc
	began  time.Time
	ended  chan struct{}
}
