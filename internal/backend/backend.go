// Package backend holds what crosses the seam between the supervisor and
// the two ways it runs workers (internal/process, internal/inproc): the
// answer to a batch of tasks. Everything above the seam, dispatch, retries,
// restarts, stats and shutdown, lives once, in package supervisor; below it,
// each backend only starts a worker, runs what it is sent and says how the
// worker ended.
package backend

import (
	"github.com/procpool/supervisor/worker"
)

// An Answer is a worker's reply to one batch of tasks sent to it. Results
// and Errs (each as long as the batch) are valid until the next answer is
// received from the same worker; the outputs they hold stay valid.
type Answer struct {
	// Ticket names the batch: what sending it returned.
	Ticket uint64
	// Err is set when the batch got no answer as a whole: its worker died
	// or was abandoned before replying. Results and Errs are then unset.
	Err error
	// Started and Finished say, for a batch that got no answer, how many of
	// its tasks had started and how many had finished when it was lost: the
	// task at index Finished was executing if Started > Finished, and the
	// tasks from index Started on never started. Unknown is -1 for both.
	Started, Finished int
	Results           []worker.Result
	Errs              []error
}

// Unknown is the value of Answer.Started and Answer.Finished when the
// backend cannot tell how far a lost batch got.
const Unknown = -1

// Executing returns the index of the task of a lost batch that was running
// when it was lost, and false when none was (or it is not known).
func (a *Answer) Executing() (int, bool) {
	if a.Started == Unknown || a.Finished == Unknown || a.Started <= a.Finished {
		return 0, false
	}
	return a.Finished, true
}
