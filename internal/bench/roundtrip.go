package bench

import (
	"context"
	"fmt"
	"time"

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
	Exec    Dist `json:"exec"`
	samples []time.Duration
}

// roundTripWarmup is how many untimed round trips come first (micro.py
// does 500).
const roundTripWarmup = 500

func measureRoundTrip(ctx context.Context, o Options, r *Report) error {
	for _, c := range o.cases() {
		o.progress("roundtrip %s: %d no-ops, one at a time", c, o.Tasks)
		rt, err := roundTrips(ctx, o, c)
		if err != nil {
			return err
		}
		r.RoundTrip = append(r.RoundTrip, rt)
	}
	return nil
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
	return RoundTrip{caseFields: fieldsOf(c), Caller: distOf(caller), Worker: distOf(inWorker),
		Overhead: distOf(overhead), Exec: distOf(exec), samples: caller}, nil
}
