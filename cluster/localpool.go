package cluster

import (
	"context"
	"errors"
	"math"

	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// The only file that knows the local pool's own API: it adapts a
// *supervisor.Supervisor to Pool.

// NewLocalPool starts a local pool for an agent: cfg as for supervisor.New,
// with local retries and quarantine turned off, since deliveries, not the
// local pool, decide those across the cluster.
func NewLocalPool(ctx context.Context, cfg supervisor.Config) (Pool, error) {
	cfg.Retries = -1
	cfg.PoisonAfter = math.MaxInt32
	s, err := supervisor.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &localPool{s: s}, nil
}

type localPool struct{ s *supervisor.Supervisor }

var _ Pool = (*localPool)(nil)

func (p *localPool) Run(ctx context.Context, t worker.Task) Outcome {
	f := p.s.Submit(ctx, t)
	select {
	case <-f.Done():
	case <-ctx.Done():
		if errors.Is(context.Cause(ctx), ErrKill) {
			p.kill(f.ID())
		}
	}
	r := f.Result()
	return Outcome{Status: r.Status, Output: r.Output, Err: r.Err, Worker: r.Worker, PID: r.PID, Exec: r.Exec}
}

// kill kills the worker running task id, if one is. Its context
// is already cancelled, so the task ends as canceled, not retried.
func (p *localPool) kill(id uint64) {
	for _, w := range p.s.Stats().Workers {
		if w.TaskID == id {
			_ = p.s.Kill(w.ID)
		}
	}
}

func (p *localPool) Size() int             { return len(p.s.Stats().Workers) }
func (p *localPool) Done() <-chan struct{} { return p.s.Done() }
func (p *localPool) Err() error            { return p.s.Err() }

// Stop cancels what is left: an agent stops its pool once it has drained,
// and a task still running then has been handed back to JetStream.
func (p *localPool) Stop(ctx context.Context) error {
	return p.s.Stop(ctx, supervisor.CancelQueued, supervisor.CancelRunning)
}
