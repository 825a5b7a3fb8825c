package supervisor

import (
	"time"

	"github.com/procpool/supervisor/internal/backend"
)

// PipelineBelow is how short a worker's tasks must run for it to be sent
// more than one at a time (up to Config.InFlight). Pipelining hides the
// round trip, ~5-10 µs in process mode: worth it for tasks of that order,
// next to nothing for a task twenty times as long. And a pipelined task
// waits in its worker behind those sent before it: behind a long one it
// would wait while another worker sat idle (the seed's primes, 30-100 ms a
// number, ran a third slower on two workers with all six sent at once).
const PipelineBelow = 200 * time.Microsecond

// room is how many more jobs the slot may send now: its window, within
// Config.InFlight, less what is in flight.
func (sl *slot) room() int {
	return min(sl.s.cfg.InFlight, max(sl.window, 1)) - len(sl.flights)
}

// adapt opens the slot's window as its worker's tasks prove short, twice as
// wide per answer, and closes it to one at once when they run long.
func (sl *slot) adapt(ans *backend.Answer) {
	if sl.s.cfg.InFlight <= 1 || ans.Err != nil || len(ans.Results) == 0 {
		return
	}
	var exec time.Duration
	for i := range ans.Results {
		exec += ans.Results[i].Exec
	}
	if exec/time.Duration(len(ans.Results)) < PipelineBelow {
		sl.window = min(2*max(sl.window, 1), sl.s.cfg.InFlight)
		return
	}
	sl.window = 1
}
