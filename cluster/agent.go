package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// AgentConfig configures an Agent. The zero value is usable.
type AgentConfig struct {
	// Name identifies the agent in results and logs. Default HOSTNAME-PID.
	Name string
	// Topology is what the agent creates or updates the streams with.
	Topology Topology
	// Drain is how long running tasks may go on once Run's context ends;
	// those still running then are handed back to JetStream for another
	// agent. Default Topology.AckWait.
	Drain time.Duration
	// Logger receives what the agent does. Default: discard.
	Logger *slog.Logger
}

// Agent-side causes of a task's end: none of them is the task's doing, and
// none writes a result.
var (
	errFenced   = fmt.Errorf("agent fenced off: jetstream unreachable for half the lease: %w", ErrKill)
	errStopping = errors.New("agent stopping")
	errRunGone  = errors.New("its run's client is gone")
	// errCancel is a client's cancel: the task ends canceled, with a result.
	errCancel = fmt.Errorf("canceled by its client: %w", context.Canceled)
	errKilled = fmt.Errorf("killed by its client: %w: %w", context.Canceled, ErrKill)
)

// An Agent pulls tasks from JetStream and runs them on a local pool: one per
// host. Its methods are safe for concurrent use.
type Agent struct {
	cfg  AgentConfig
	nc   *nats.Conn
	js   jetstream.JetStream
	h    *handle
	pool Pool
	log  *slog.Logger

	slots chan struct{} // a token per idle worker
	link  link
	runs  runs

	// jobs is the parent of every running task's context: not Run's, so
	// that a stop lets them finish (see Drain).
	jobs     context.Context
	stopJobs context.CancelCauseFunc

	mu   sync.Mutex
	held map[string]*holding // by RUN.JOB
	wg   sync.WaitGroup      // one per task being handled

	hooks hooks // for tests
}

// hooks let tests wait for what an agent does instead of sleeping.
type hooks struct {
	held    func(run string, job uint64, delivery int) // it started running a task
	settled func(run string, job uint64, how string)   // it settled a task's message
}

func (a *Agent) settled(j *job, how string) {
	if a.hooks.settled != nil {
		a.hooks.settled(j.run, j.id, how)
	}
}

// A holding is a task this agent has taken and not settled.
type holding struct {
	job    *job
	cancel context.CancelCauseFunc
}

// NewAgent creates or updates the cluster's streams with cfg.Topology and
// returns an agent that runs tasks on pool. It does not own nc or pool: the
// caller closes and stops them after Run returns.
func NewAgent(ctx context.Context, nc *nats.Conn, pool Pool, cfg AgentConfig) (*Agent, error) {
	cfg.Topology = cfg.Topology.withDefaults()
	if err := cfg.Topology.validate(); err != nil {
		return nil, err
	}
	cfg.Drain = positive(cfg.Drain, cfg.Topology.AckWait)
	if cfg.Name == "" {
		host, _ := os.Hostname()
		cfg.Name = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	h, err := whenReady(ctx, func(ctx context.Context) (*handle, error) { return declare(ctx, js, cfg.Topology) })
	if err != nil {
		return nil, err
	}
	a := &Agent{cfg: cfg, nc: nc, js: js, h: h, pool: pool, log: cfg.Logger.With("agent", cfg.Name),
		slots: make(chan struct{}, pool.Size()), held: map[string]*holding{}}
	a.jobs, a.stopJobs = context.WithCancelCause(context.Background())
	a.link.init()
	a.runs.init(js, h.runs, cfg.Topology.RunLease)
	for range pool.Size() {
		a.slots <- struct{}{}
	}
	return a, nil
}

// Name is the agent's name, as results carry it.
func (a *Agent) Name() string { return a.cfg.Name }

// Run takes and runs tasks until ctx ends or the pool gives up, then lets
// running tasks finish within Drain and hands back those that did not. It
// returns the pool's error if it gave up, else nil.
func (a *Agent) Run(ctx context.Context) error {
	sub, err := a.nc.Subscribe(subjectControl+">", a.onControl)
	if err != nil {
		return fmt.Errorf("subscribe to control messages: %w", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	watch, stopWatch := context.WithCancel(context.Background())
	var watchers sync.WaitGroup
	watchers.Go(func() { a.watchLink(watch) })
	watchers.Go(func() { a.watchRuns(watch) })
	a.hello()
	a.log.Info("agent ready", "workers", a.pool.Size())
	a.fetchLoop(ctx)
	a.drain()
	stopWatch()
	watchers.Wait()
	return a.pool.Err()
}

// drain waits for the running tasks, up to Drain, then cancels the rest:
// their messages go back to JetStream.
func (a *Agent) drain() {
	done := make(chan struct{})
	go func() { a.wg.Wait(); close(done) }()
	t := time.NewTimer(a.cfg.Drain)
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
	}
	a.log.Info("drain over: handing back running tasks")
	a.stopJobs(errStopping)
	<-done
}

func (a *Agent) hold(j *job, d int, cancel context.CancelCauseFunc) {
	a.mu.Lock()
	a.held[key(j.run, j.id)] = &holding{job: j, cancel: cancel}
	a.mu.Unlock()
	if a.hooks.held != nil {
		a.hooks.held(j.run, j.id, d)
	}
}

func (a *Agent) unhold(j *job) {
	a.mu.Lock()
	delete(a.held, key(j.run, j.id))
	a.mu.Unlock()
}

// cancelHeld cancels, with cause, every held task that match selects.
func (a *Agent) cancelHeld(cause error, match func(*job) bool) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, h := range a.held {
		if match(h.job) {
			h.cancel(cause)
			n++
		}
	}
	return n
}

func key(run string, id uint64) string { return fmt.Sprintf("%s.%d", run, id) }
