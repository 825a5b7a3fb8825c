package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/procpool/supervisor/internal/frame"
	"github.com/procpool/supervisor/supervisor"
)

// RoundTrip is a no-op task's round trip, one task at a time on one
// worker, as a lone caller sees it.
type RoundTrip struct {
	caseFields
	// Caller is Submit → Result: what Python's submit(noop).result() times.
	Caller Dist `json:"caller"`
	// Worker is Result.RoundTrip: from handing the task to the worker to
	// its answer, without the queue and the future.
	Worker Dist `json:"worker"`
	// Overhead is Result.Overhead(): the worker round trip minus the time
	// the task ran in the worker. The cost of the mode itself.
	Overhead Dist `json:"overhead"`
	// Exec is the time in the worker (Result.Exec).
	Exec Dist `json:"exec"`
	// P50 is Caller's p50 over the rounds (see Spread); CPUPerTask the CPU
	// time per round trip of both sides together, in ns; VsFloor the p50
	// as a multiple of the best floor's p50 in the same round.
	P50        *Spread `json:"p50_spread,omitempty"`
	CPUPerTask *Spread `json:"cpu_per_task_ns,omitempty"`
	VsFloor    *Spread `json:"vs_floor,omitempty"`
	samples    []time.Duration
	cpuPerTask float64
	vsFloor    float64
}

// roundTripWarmup is how many untimed round trips come first (micro.py
// does 500).
const roundTripWarmup = 500

func measureRoundTrip(ctx context.Context, o Options, r *Report) error {
	for _, k := range frame.FloorKinds {
		o.progress("roundtrip floor/%s: %d round trips of one byte", k, o.Tasks)
		rt, err := floorRoundTrips(o, k)
		if err != nil {
			return err
		}
		r.RoundTrip = append(r.RoundTrip, rt)
	}
	for _, c := range o.cases() {
		o.progress("roundtrip %s: %d no-ops, one at a time", c, o.Tasks)
		rt, err := roundTrips(ctx, o, c)
		if err != nil {
			return err
		}
		r.RoundTrip = append(r.RoundTrip, rt)
	}
	o.progress("roundtrip go-plugin: %d no-ops, one at a time", o.Tasks)
	rt, err := pluginRoundTrips(ctx, o)
	if err != nil {
		return err
	}
	r.RoundTrip = append(r.RoundTrip, rt)
	setFloorRatios(r.RoundTrip)
	return nil
}

// workerPIDs are a pool's worker processes (none in thread mode: its
// workers' CPU is the supervisor's own).
func workerPIDs(s *supervisor.Supervisor) []int {
	if s.Config().Mode != supervisor.ModeProcess {
		return nil
	}
	var pids []int
	for _, w := range s.Stats().Workers {
		pids = append(pids, w.PID)
	}
	return pids
}

func roundTrips(ctx context.Context, o Options, c Case) (RoundTrip, error) {
	s, err := o.newPool(c, supervisor.Config{Workers: 1})
	if err != nil {
		return RoundTrip{}, err
	}
	defer stop(s)
	tctx := timed(ctx)
	for range roundTripWarmup {
		if res := s.Submit(tctx, noop).Result(); res.Err != nil {
			return RoundTrip{}, fmt.Errorf("roundtrip %s: %w", c, res.Err)
		}
	}
	caller := make([]time.Duration, o.Tasks)
	inWorker := make([]time.Duration, o.Tasks)
	overhead := make([]time.Duration, o.Tasks)
	exec := make([]time.Duration, o.Tasks)
	pids := workerPIDs(s)
	before := cpuTime(pids...)
	for i := range o.Tasks {
		if err := ctx.Err(); err != nil {
			return RoundTrip{}, err
		}
		begin := time.Now()
		res := s.Submit(tctx, noop).Result()
		caller[i] = time.Since(begin)
		if res.Err != nil {
			return RoundTrip{}, fmt.Errorf("roundtrip %s: %w", c, res.Err)
		}
		inWorker[i], overhead[i], exec[i] = res.RoundTrip, res.Overhead(), res.Exec
	}
	cpu := cpuTime(pids...) - before
	return RoundTrip{caseFields: fieldsOf(c), Caller: distOf(caller), Worker: distOf(inWorker),
		Overhead: distOf(overhead), Exec: distOf(exec), samples: caller, cpuPerTask: perTask(cpu, o.Tasks)}, nil
}
