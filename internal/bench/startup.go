package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/procpool/supervisor/internal/inproc"
	"github.com/procpool/supervisor/internal/process"
	"github.com/procpool/supervisor/supervisor"
)

// Startup is one worker's start-up: in process mode spawn → go-plugin
// handshake → first reply (process.Worker.Startup), in thread mode
// goroutine start → first reply to a no-op.
type Startup struct {
	caseFields
	Dist
	// P50 is the p50 over the rounds.
	P50Spread *Spread `json:"p50_spread,omitempty"`
	samples   []time.Duration
}

// PoolStart is a whole pool's start-up as a user sees it, like Python's
// pool_start: from supervisor.New to the first no-op's result.
type PoolStart struct {
	caseFields
	Workers int `json:"workers"`
	Dist
	// P50 is the p50 over the rounds.
	P50Spread *Spread `json:"p50_spread,omitempty"`
}

// threadStarts is how many goroutine start-ups are timed per Starts: they
// cost microseconds, and more of them steady the percentiles.
const threadStarts = 20

func measureStartup(ctx context.Context, o Options, r *Report) error {
	for _, c := range o.cases() {
		o.progress("startup %s: %d worker start-ups", c, o.Starts)
		samples, err := startups(ctx, o, c)
		if err != nil {
			return err
		}
		r.Startup = append(r.Startup, Startup{caseFields: fieldsOf(c), Dist: distOf(samples), samples: samples})
	}
	for _, c := range o.cases() {
		for _, w := range uniq(1, o.Workers) {
			d, err := poolStarts(ctx, o, c, w)
			if err != nil {
				return err
			}
			r.PoolStart = append(r.PoolStart, PoolStart{caseFields: fieldsOf(c), Workers: w, Dist: d})
		}
	}
	return nil
}

func startups(ctx context.Context, o Options, c Case) ([]time.Duration, error) {
	if c.Mode == supervisor.ModeThread {
		return goroutineStarts(ctx, o.Starts*threadStarts)
	}
	// One start first, untimed: the first exec of the binary may page it in.
	var out []time.Duration
	for i := range o.Starts + 1 {
		w, err := process.Start(ctx, process.Config{Command: o.WorkerCommand, IPC: process.IPC(c.IPC), MaxPayload: o.MaxPayload})
		if err != nil {
			return nil, fmt.Errorf("startup %s: %w", c, err)
		}
		if i > 0 {
			out = append(out, w.Startup())
		}
		// Stopped before the next start, so that starts do not overlap.
		if err := stopWorker(w); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func stopWorker(w *process.Worker) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return w.Stop(ctx)
}

// goroutineStarts times inproc.Start and the first reply, as
// process.Worker.Startup does for a process.
func goroutineStarts(ctx context.Context, n int) ([]time.Duration, error) {
	out := make([]time.Duration, 0, n)
	for range n {
		begin := time.Now()
		w := inproc.Start(inproc.Config{})
		_, err := w.Do(ctx, noop)
		d := time.Since(begin)
		_ = w.Stop(ctx)
		if err != nil {
			return nil, fmt.Errorf("startup thread: %w", err)
		}
		out = append(out, d)
	}
	return out, nil
}

// poolStarts times New with w workers up to the first no-op's result.
func poolStarts(ctx context.Context, o Options, c Case, w int) (Dist, error) {
	n := max(o.Starts/3, 3)
	if c.Mode == supervisor.ModeThread {
		n *= threadStarts
	}
	o.progress("startup %s: %d pools of %d", c, n, w)
	var out []time.Duration
	for range n {
		begin := time.Now()
		s, err := o.newPool(c, supervisor.Config{Workers: w})
		if err != nil {
			return Dist{}, err
		}
		res := s.Submit(ctx, noop).Result()
		d := time.Since(begin)
		stop(s)
		if res.Err != nil {
			return Dist{}, fmt.Errorf("pool start %s: %w", c, res.Err)
		}
		out = append(out, d)
	}
	return distOf(out), nil
}

// uniq lists its arguments without repeats, in order: 1 and Workers are
// the same when Workers is 1.
func uniq(ns ...int) []int {
	var out []int
	for _, n := range ns {
		if len(out) == 0 || out[len(out)-1] != n {
			out = append(out, n)
		}
	}
	return out
}
