package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
	"github.com/procpool/supervisor/supervisor"
)

// Config configures an Executor. The zero value is usable: the defaults
// are the local pool's.
type Config struct {
	// Retries is how many times a task whose worker died is delivered
	// again, to any agent. A task's own error is never retried. Default 1;
	// negative means never.
	Retries int
	// PoisonAfter quarantines a task once this many of its deliveries ended
	// with a death (its worker's, or its host's). Default 2.
	PoisonAfter int
	// Timeout bounds each attempt at a task, on the agent that runs it.
	// Default 0, none.
	Timeout time.Duration
	// CancelWait is how long Cancel waits for the agent holding a task to
	// say so, before it takes the task for queued. Default 250ms.
	CancelWait time.Duration
	// OnResult, if set, is called with every task's result as it arrives,
	// those of Map's inputs included, from the executor's goroutines: it
	// must not block.
	OnResult func(Result)
	// Logger receives what the executor does. Default: discard.
	Logger *slog.Logger
}

// DefaultCancelWait is the default of Config.CancelWait.
const DefaultCancelWait = 250 * time.Millisecond

func (c Config) withDefaults() Config {
	c.Retries = localDefault(c.Retries, supervisor.DefaultRetries)
	c.PoisonAfter = max(localDefault(c.PoisonAfter, supervisor.DefaultPoisonAfter), 1)
	c.CancelWait = positive(c.CancelWait, DefaultCancelWait)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// localDefault reads v as the local pool does: 0 is the default, negative
// is none.
func localDefault(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return -1
	}
	return v
}

// A Result is how one task ended, as on a local pool; its Agent field
// names the agent that ran it (Worker and PID are that agent's).
type Result = supervisor.Result

// An Executor submits tasks to the agents of a cluster and gives back their
// results: the client side. Its methods are safe for concurrent use.
type Executor struct {
	cfg     Config
	nc      *nats.Conn
	ownConn bool
	js      jetstream.JetStream
	h       *handle
	run     string // this executor's run: the subjects of its tasks and results
	log     *slog.Logger

	nextID atomic.Uint64

	mu       sync.Mutex
	pending  map[uint64]*pending // by job ID
	bySeq    map[uint64]*pending // by stream sequence, for advisories
	stopping bool
	quit     chan struct{} // closed when Stop begins: publishing gives up
	idle     *sync.Cond    // signalled when pending empties

	consumers []jetstream.ConsumeContext
	lease     *lease
	tasks     group // goroutines publishing, cancelling, answering advisories
}

// Dial connects to the NATS servers at url (comma-separated for several)
// and returns an executor that owns the connection. opts add to the
// connection's options: credentials, TLS.
func Dial(ctx context.Context, url string, cfg Config, opts ...nats.Option) (*Executor, error) {
	opts = append([]nats.Option{nats.Name("supervisor client"), nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond)}, opts...)
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", url, err)
	}
	e, err := New(ctx, nc, cfg)
	if err != nil {
		nc.Close()
		return nil, err
	}
	e.ownConn = true
	return e, nil
}

// New returns an executor on an existing connection, which the caller
// keeps and closes after Stop. It waits, until ctx ends, for the cluster's
// streams, which agents create, then starts a run: a lease that agents
// watch, and the consumers of its results and advisories.
func New(ctx context.Context, nc *nats.Conn, cfg Config) (*Executor, error) {
	cfg = cfg.withDefaults()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(maxPublishing))
	if err != nil {
		return nil, err
	}
	// The agents own the cluster's settings and create its streams: a
	// client that created them with its own would have them changed under
	// it, which JetStream does by moving streams, and leaders, around.
	h, err := whenReady(ctx, func(ctx context.Context) (*handle, error) { return lookup(ctx, js) })
	if err != nil {
		return nil, err
	}
	e := &Executor{cfg: cfg, nc: nc, js: js, h: h, run: nuid.Next(), pending: map[uint64]*pending{},
		bySeq: map[uint64]*pending{}, quit: make(chan struct{})}
	e.idle = sync.NewCond(&e.mu)
	e.log = cfg.Logger.With("run", e.run)
	if err := e.checkLimits(); err != nil {
		return nil, err
	}
	if e.lease, err = startLease(ctx, js, e.run, h.topo.RunLease, e.log); err != nil {
		return nil, err
	}
	if err := e.consume(ctx); err != nil {
		e.lease.end()
		e.stopConsumers()
		return nil, err
	}
	return e, nil
}

// checkLimits refuses a task limit the cluster's consumer cannot deliver.
func (e *Executor) checkLimits() error {
	j := job{retries: e.cfg.Retries, poison: e.cfg.PoisonAfter}
	if md := e.h.topo.MaxDeliver; md > 0 && j.limit() > md {
		return fmt.Errorf("%w: retries %d and poison-after %d need %d deliveries; the cluster allows %d",
			ErrConfig, e.cfg.Retries, e.cfg.PoisonAfter, j.limit(), md)
	}
	if md := e.h.topo.MaxDeliver; md > 0 && j.limit() == md {
		e.log.Warn("the cluster's max deliveries leave no delivery to answer a task whose host was lost; only the advisory will",
			"max_deliver", md)
	}
	return nil
}

var _ supervisor.Executor = (*Executor)(nil)

// Run is this executor's run ID: its tasks' subjects carry it.
func (e *Executor) Run() string { return e.run }

// Stop ends the run, as the local pool's Stop does: no task is submitted
// from then on; by default the tasks submitted run to their end; with
// supervisor.CancelQueued or CancelRunning, every task not ended is
// cancelled instead (queued ones at once, running ones by their agents'
// kill ladders: the client cannot tell the two apart, so either option
// cancels both). Stop waits for the results until ctx ends; those still
// without one then end canceled with supervisor.ErrStopped. It then ends
// the run's lease and closes the connection if Dial made it. It is safe to
// call more than once.
func (e *Executor) Stop(ctx context.Context, opts ...supervisor.StopOption) error {
	e.mu.Lock()
	first := !e.stopping
	e.stopping = true
	left := e.pendingList()
	e.mu.Unlock()
	if len(opts) > 0 {
		for _, p := range left {
			e.cancel(p, ctlCancel)
		}
	}
	if !first {
		e.waitIdle(ctx)
		return nil
	}
	close(e.quit)
	var err error
	if !e.waitIdle(ctx) {
		err = fmt.Errorf("%w: %d tasks without a result", ErrUnreachable, e.abandonPending())
	}
	e.stopConsumers()
	e.tasks.close()
	e.lease.end()
	if e.ownConn {
		e.nc.Close()
	}
	return err
}

// waitIdle waits until no task is pending, or ctx ends (false).
func (e *Executor) waitIdle(ctx context.Context) bool {
	stop := context.AfterFunc(ctx, func() {
		e.mu.Lock()
		e.idle.Broadcast()
		e.mu.Unlock()
	})
	defer stop()
	e.mu.Lock()
	defer e.mu.Unlock()
	for len(e.pending) > 0 && ctx.Err() == nil {
		e.idle.Wait()
	}
	return len(e.pending) == 0
}

// abandonPending ends every pending task as stopped, without a result from
// the cluster, and says how many there were.
func (e *Executor) abandonPending() int {
	e.mu.Lock()
	left := e.pendingList()
	e.mu.Unlock()
	for _, p := range left {
		e.resolveLocally(p, supervisor.StatusCanceled, fmt.Errorf("%w: %w", supervisor.ErrStopped, ErrUnreachable))
	}
	return len(left)
}

func (e *Executor) pendingList() []*pending {
	out := make([]*pending, 0, len(e.pending))
	for _, p := range e.pending {
		out = append(out, p)
	}
	return out
}

func (e *Executor) stopConsumers() {
	for _, c := range e.consumers {
		c.Stop()
	}
}

// A group runs goroutines and waits for them; once closed, it starts no
// more, so that nothing is left running after Stop.
type group struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// Go runs f in a goroutine, unless the group is closed.
func (g *group) Go(f func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed {
		g.wg.Go(f)
	}
}

// close stops starting goroutines and waits for those running.
func (g *group) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.wg.Wait()
}
