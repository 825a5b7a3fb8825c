package supervisor

// WorkerState is what a worker is doing.
type WorkerState int32

const (
	StateStarting   WorkerState = iota // its process or goroutine is starting
	StateIdle                          // waiting for a task
	StateBusy                          // running a task
	StateDead                          // ended; a replacement may follow
	StateRestarting                    // waiting out the backoff before a replacement
	StateAbandoned                     // thread mode: its goroutine ignored cancellation and runs on
	StateStopped                       // ended for good
)

var stateNames = [...]string{"starting", "idle", "busy", "dead", "restarting", "abandoned", "stopped"}

func (st WorkerState) String() string {
	if st >= 0 && int(st) < len(stateNames) {
		return stateNames[st]
	}
	return "unknown"
}

// WorkerStates lists every state, in order.
func WorkerStates() []WorkerState {
	out := make([]WorkerState, len(stateNames))
	for i := range out {
		out[i] = WorkerState(i)
	}
	return out
}

// A Cause says why the supervisor ended a worker itself; CauseNone is a
// worker that died on its own (a crash, an outside kill).
type Cause int

const (
	CauseNone            Cause = iota // not the supervisor's doing
	CauseStopping                     // the supervisor is stopping
	CauseRecycled                     // Config.MaxTasksPerWorker reached
	CauseRemoved                      // RemoveWorker
	CauseKilledOnRequest              // Kill
	CauseMemory                       // over Config.MaxWorkerRSS
	CauseKillLadder                   // a task ignored cancellation (process mode)
	CauseAbandoned                    // a task ignored cancellation (thread mode)
)

var causeNames = [...]string{"", "supervisor stopping", "recycled after its task limit", "removed on request",
	"killed on request", "replaced: over the memory limit", "killed by the kill ladder: the task ignored cancellation",
	"abandoned: the task ignored cancellation"}

func (c Cause) String() string {
	if c >= 0 && int(c) < len(causeNames) {
		return causeNames[c]
	}
	return "unknown"
}
