package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/procpool/supervisor/supervisor"
)

// Throughput is no-op tasks per second through a pool of Workers workers.
// Pipelined: one task per message, InFlight tasks outstanding per worker
// (Python's map with chunksize 1). Batched: Chunksize tasks per message
// (map with chunksize 100).
type Throughput struct {
	caseFields
	Shape     string  `json:"shape"` // "pipelined" or "batched"
	Workers   int     `json:"workers"`
	InFlight  int     `json:"in_flight"` // Config.InFlight; thread mode always uses 1
	Chunksize int     `json:"chunksize"`
	Tasks     int     `json:"tasks"`
	ElapsedNs int64   `json:"elapsed_ns"`
	TasksPerS float64 `json:"tasks_per_s"`
	// Via says how the tasks went in: "map" (Supervisor.Map) or "submit"
	// (one Submit per task, where Map cannot be used).
	Via string `json:"via"`
}

const (
	shapePipelined = "pipelined"
	shapeBatched   = "batched"
)

// The first round of a throughput point is untimed; later rounds double
// while they are short, so that the gaps between rounds cost little.
const (
	firstRound = 1000
	maxRound   = 1 << 22
)

func measureThroughput(ctx context.Context, o Options, r *Report) error {
	for _, c := range o.cases() {
		for w := 1; w <= o.Workers; w++ {
			for _, shape := range []string{shapePipelined, shapeBatched} {
				t, err := throughputPoint(ctx, o, c, w, shape)
				if err != nil {
					return err
				}
				o.progress("throughput %s, %d workers, %s: %.0f tasks/s", c, w, shape, t.TasksPerS)
				r.Throughput = append(r.Throughput, t)
			}
		}
	}
	return nil
}

func throughputPoint(ctx context.Context, o Options, c Case, w int, shape string) (Throughput, error) {
	t := Throughput{caseFields: fieldsOf(c), Shape: shape, Workers: w, InFlight: o.InFlight, Chunksize: 1}
	if shape == shapeBatched {
		t.Chunksize = o.Chunksize
	}
	if c.Mode == supervisor.ModeThread {
		t.InFlight = 1
	}
	s, err := o.newPool(c, supervisor.Config{Workers: w, InFlight: t.InFlight})
	if err != nil {
		return t, err
	}
	defer stop(s)
	run := runner(s)
	t.Via = run.via
	tasks, elapsed, err := rate(ctx, o.Duration, run, t.Chunksize)
	if err != nil {
		return t, fmt.Errorf("throughput %s, %d workers, %s: %w", c, w, shape, err)
	}
	t.Tasks, t.ElapsedNs = tasks, int64(elapsed)
	t.TasksPerS = float64(tasks) / elapsed.Seconds()
	return t, nil
}

// rate runs rounds of no-ops for about d after an untimed first round.
func rate(ctx context.Context, d time.Duration, run batchRunner, chunksize int) (int, time.Duration, error) {
	round := firstRound
	if err := run.run(ctx, round, chunksize); err != nil {
		return 0, 0, err
	}
	tasks := 0
	begin := time.Now()
	for time.Since(begin) < d {
		t0 := time.Now()
		if err := run.run(ctx, round, chunksize); err != nil {
			return 0, 0, err
		}
		tasks += round
		if time.Since(t0) < d/20 && round < maxRound {
			round *= 2
		}
	}
	return tasks, time.Since(begin), nil
}

// A batchRunner runs n no-ops in chunks and waits for all of them.
type batchRunner struct {
	via string
	run func(ctx context.Context, n, chunksize int) error
}

// runner submits each task on its own until Supervisor.Map is available.
func runner(s *supervisor.Supervisor) batchRunner {
	return batchRunner{via: "submit", run: func(ctx context.Context, n, _ int) error {
		fs := make([]*supervisor.Future, n)
		for i := range fs {
			fs[i] = s.Submit(ctx, noop)
		}
		for _, f := range fs {
			if res := f.Result(); res.Err != nil {
				return res.Err
			}
		}
		return nil
	}}
}
