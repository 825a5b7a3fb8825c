package bench

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/procpool/supervisor/supervisor"
)

// Throughput is no-op tasks per second through a pool of Workers workers,
// sent with Supervisor.Map. Pipelined: one task per message, InFlight
// tasks outstanding per worker (Python's map with chunksize 1). Batched:
// Chunksize tasks per message (map with chunksize 100), InFlight chunks
// outstanding per worker.
type Throughput struct {
	caseFields
	Shape     string  `json:"shape"` // "pipelined" or "batched"
	Workers   int     `json:"workers"`
	InFlight  int     `json:"in_flight"` // Config.InFlight; thread mode always uses 1
	Chunksize int     `json:"chunksize"`
	Tasks     int     `json:"tasks"`
	ElapsedNs int64   `json:"elapsed_ns"`
	TasksPerS float64 `json:"tasks_per_s"`
	// Cancellable is set on the extra point measured with a context that
	// can be cancelled, as most callers' is; the others use one that
	// cannot (see timed).
	Cancellable bool `json:"cancellable_ctx,omitempty"`
	// Rate is TasksPerS over the rounds; CPUPerTask the CPU time of the
	// supervisor and its workers together per task, in ns (where known).
	Rate       *Spread `json:"tasks_per_s_spread,omitempty"`
	CPUPerTask *Spread `json:"cpu_per_task_ns,omitempty"`
	cpuPerTask float64
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

// A point is one throughput measurement's shape.
type point struct {
	workers     int
	shape       string
	cancellable bool
}

func (pt point) String() string {
	s := fmt.Sprintf("%d %s, %s", pt.workers, plural(pt.workers, "worker", "workers"), pt.shape)
	if pt.cancellable {
		s += ", cancellable ctx"
	}
	return s
}

// points are 1 … Workers workers, pipelined and batched, then pipelined
// at Workers under a cancellable context.
func (o Options) points() []point {
	var out []point
	for w := 1; w <= o.Workers; w++ {
		out = append(out, point{w, shapePipelined, false}, point{w, shapeBatched, false})
	}
	return append(out, point{o.Workers, shapePipelined, true})
}

func measureThroughput(ctx context.Context, o Options, r *Report) error {
	for _, c := range o.cases() {
		for _, pt := range o.points() {
			t, err := throughputPoint(ctx, o, c, pt)
			if err != nil {
				return err
			}
			o.progress("throughput %s, %s: %.0f tasks/s", c, pt, t.TasksPerS)
			r.Throughput = append(r.Throughput, t)
		}
	}
	t, err := pluginThroughput(ctx, o, o.Workers, o.Duration)
	if err != nil {
		return err
	}
	o.progress("throughput go-plugin, %d workers, %d callers each: %.0f tasks/s", o.Workers, pluginCallers, t.TasksPerS)
	r.Throughput = append(r.Throughput, t)
	return nil
}

func throughputPoint(ctx context.Context, o Options, c Case, pt point) (Throughput, error) {
	w, shape := pt.workers, pt.shape
	t := Throughput{caseFields: fieldsOf(c), Shape: shape, Workers: w, InFlight: o.InFlight, Chunksize: 1, Cancellable: pt.cancellable}
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
	m := &mapper{s: s, ctx: timed(ctx)}
	if pt.cancellable {
		m.ctx = ctx
	}
	pids := workerPIDs(s)
	var cpu time.Duration
	tasks, elapsed, err := rate(ctx, o.Duration, m, t.Chunksize, func(start bool) {
		if start {
			cpu = cpuTime(pids...)
		} else {
			cpu = cpuTime(pids...) - cpu
		}
	})
	if err != nil {
		return t, fmt.Errorf("throughput %s, %s: %w", c, pt, err)
	}
	t.Tasks, t.ElapsedNs = tasks, int64(elapsed)
	t.cpuPerTask = perTask(cpu, tasks)
	t.TasksPerS = float64(tasks) / elapsed.Seconds()
	return t, nil
}

// rate runs rounds of no-ops for about d after an untimed first round.
func rate(ctx context.Context, d time.Duration, run *mapper, chunksize int, mark func(start bool)) (int, time.Duration, error) {
	round := firstRound
	if err := run.run(round, chunksize); err != nil {
		return 0, 0, err
	}
	tasks := 0
	mark(true)
	defer mark(false)
	begin := time.Now()
	for time.Since(begin) < d {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		t0 := time.Now()
		if err := run.run(round, chunksize); err != nil {
			return 0, 0, err
		}
		tasks += round
		if time.Since(t0) < d/20 && round < maxRound {
			round *= 2
		}
	}
	return tasks, time.Since(begin), nil
}

// A mapper runs no-ops through Supervisor.Map, like Python's
// executor.map: chunksize 1 is one task per message, pipelined by
// Config.InFlight; more is that many tasks per message.
type mapper struct {
	s      *supervisor.Supervisor
	ctx    context.Context // what Map runs under
	inputs [][]byte        // grown as rounds grow, and reused
}

// run runs n no-ops and waits for all of them.
func (m *mapper) run(n, chunksize int) error {
	for len(m.inputs) < n {
		m.inputs = append(m.inputs, noop.Input)
	}
	for _, err := range m.s.Map(m.ctx, noop.Name, slices.Values(m.inputs[:n]), chunksize) {
		if err != nil {
			return err
		}
	}
	return nil
}
