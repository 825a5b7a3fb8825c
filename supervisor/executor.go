package supervisor

import (
	"context"
	"iter"

	"github.com/procpool/supervisor/worker"
)

// An Executor runs tasks: the local pool (*Supervisor) and the cluster
// executor (package cluster) both are one, so that code moves from one
// host to many by changing its constructor. Typed tasks (Def) submit
// through it.
type Executor interface {
	// Submit queues t and returns its future; see Supervisor.Submit.
	Submit(ctx context.Context, t worker.Task) *Future[[]byte]
	// Map runs task name on every input; see Supervisor.Map.
	Map(ctx context.Context, name string, inputs iter.Seq[[]byte], chunksize int) iter.Seq2[[]byte, error]
	// Stop stops the executor; see Supervisor.Stop.
	Stop(ctx context.Context, opts ...StopOption) error
}

var _ Executor = (*Supervisor)(nil)
