package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/procpool/supervisor/supervisor"
)

// Scaling is the no-op round trip, one task at a time, on a pool of
// Workers worker processes (the frame path): it should not grow with the
// pool. The slot idle most recently takes the next task, so a lone caller
// keeps one warm worker busy, whatever the pool's size; handing each task
// to the worker idle longest (first-in first-out) made it land on the
// coldest one and grew the round trip eightfold from 1 to 64 workers.
type Scaling struct {
	caseFields
	Workers int `json:"workers"`
	Dist
	// P50 is the p50 over the rounds; VsOne the p50 over one worker's in
	// the same round.
	P50Spread *Spread `json:"p50_spread,omitempty"`
	VsOne     *Spread `json:"vs_one_worker,omitempty"`
	vsOne     float64
}

// ScalingSizes are the pool sizes of the scaling figure.
var ScalingSizes = []int{1, 16, 64}

func measureScaling(ctx context.Context, o Options, r *Report) error {
	c := Case{Mode: supervisor.ModeProcess, IPC: supervisor.IPCFrame}
	var one time.Duration
	for _, n := range ScalingSizes {
		o.progress("scaling %s: %d no-ops, one at a time, on %d workers", c, o.Tasks, n)
		s, err := o.newPool(c, supervisor.Config{Workers: n})
		if err != nil {
			return err
		}
		samples, err := lone(ctx, s, o.Tasks)
		stop(s)
		if err != nil {
			return fmt.Errorf("scaling %d workers: %w", n, err)
		}
		sc := Scaling{caseFields: fieldsOf(c), Workers: n, Dist: distOf(samples)}
		if n == ScalingSizes[0] {
			one = sc.P50()
		}
		if one > 0 {
			sc.vsOne = float64(sc.P50()) / float64(one)
		}
		r.Scaling = append(r.Scaling, sc)
	}
	return nil
}

// lone times n no-ops, one at a time, after a warm-up.
func lone(ctx context.Context, s *supervisor.Supervisor, n int) ([]time.Duration, error) {
	tctx := timed(ctx)
	for range roundTripWarmup {
		if res := s.Submit(tctx, noop).Result(); res.Err != nil {
			return nil, res.Err
		}
	}
	out := make([]time.Duration, n)
	for i := range out {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		begin := time.Now()
		res := s.Submit(tctx, noop).Result()
		out[i] = time.Since(begin)
		if res.Err != nil {
			return nil, res.Err
		}
	}
	return out, nil
}
