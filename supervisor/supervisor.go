package supervisor

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/procpool/supervisor/internal/limits"
	"github.com/procpool/supervisor/worker"
)

// A Supervisor runs tasks on a pool of workers and keeps the pool alive.
// Its methods are safe for concurrent use.
type Supervisor struct {
	cfg    Config
	start  startFunc
	jitter func() float64

	pools  []*pool
	routes map[string]*pool // task name → its pool; "" for the pool taking any task

	nextID atomic.Uint64
	counts [len(statusNames)]atomic.Int64

	stopping  chan struct{} // closed when Stop begins or the supervisor gives up
	stopOnce  sync.Once
	forceCtx  context.Context // cancelled when Stop's context ends: everything goes down at once
	force     context.CancelFunc
	forceOnce sync.Once
	done      chan struct{} // closed when every slot and helper has ended
	spareOnce sync.Once

	mu        sync.Mutex
	err       error // why it gave up
	intensity intensity
	slots     []*slot
	lastID    int
	history   []*ProcessRecord
	wg        sync.WaitGroup // slot and helper goroutines

	spares  chan instance
	backend *processBackend // process mode's directory and guard; nil in thread mode
	started time.Time
	startup time.Duration
}

// New starts the workers, in parallel, and returns once all are ready. A
// worker that fails to start is started again with backoff, as a dead one
// is; New fails, wrapping ErrGaveUp, only when the restart limit is passed,
// and with ctx's error when ctx ends first (then nothing it started is
// left). It fails wrapping ErrConfig for a configuration it cannot use, and
// with ErrInWorker in a process started as a worker.
func New(ctx context.Context, cfg Config) (*Supervisor, error) {
	if inWorker() {
		return nil, ErrInWorker
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := limits.CheckWorkers(cfg.Mode.String(), cfg.processes()); err != nil {
		// One line and an error, where a thread the runtime cannot create
		// would kill the whole program with a fatal error.
		return nil, fmt.Errorf("%w: %w", ErrGaveUp, err)
	}
	s := &Supervisor{
		cfg:       cfg,
		jitter:    defaultJitter,
		routes:    map[string]*pool{},
		stopping:  make(chan struct{}),
		done:      make(chan struct{}),
		intensity: intensity{max: cfg.MaxRestarts, window: cfg.RestartWindow},
		spares:    make(chan instance),
		started:   time.Now(),
	}
	s.forceCtx, s.force = context.WithCancel(context.Background())
	if err := s.buildPools(); err != nil {
		return nil, err
	}
	s.start = s.startGoroutine
	if cfg.Mode == ModeProcess {
		b, err := openProcessBackend(cfg)
		if err != nil {
			return nil, err
		}
		s.backend, s.start = b, s.startProcess
	}
	if err := s.startSlots(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Supervisor) buildPools() error {
	for _, p := range s.cfg.Pools {
		pl := newPool(s, p)
		s.pools = append(s.pools, pl)
		if len(p.Tasks) == 0 {
			if _, dup := s.routes[""]; dup {
				return fmt.Errorf("%w: more than one pool takes any task", ErrConfig)
			}
			s.routes[""] = pl
		}
		for _, name := range p.Tasks {
			if other, dup := s.routes[name]; dup {
				return fmt.Errorf("%w: task %q is in pools %q and %q", ErrConfig, name, other.Name, p.Name)
			}
			s.routes[name] = pl
		}
	}
	return nil
}

// startSlots starts every slot's goroutine, each staffing its slot, and
// waits until every slot has a worker ready.
func (s *Supervisor) startSlots(ctx context.Context) error {
	begin := time.Now()
	var ready sync.WaitGroup
	for _, p := range s.pools {
		for range p.Workers {
			s.mu.Lock()
			sl := s.addSlotLocked(p)
			s.mu.Unlock()
			ready.Add(1)
			s.wg.Go(func() { sl.run(ready.Done) })
		}
	}
	if s.cfg.Mode == ModeProcess {
		s.wg.Go(s.sample)
	}
	go s.closeWhenDone()
	all := make(chan struct{})
	go func() { ready.Wait(); close(all) }()
	select {
	case <-all:
	case <-s.stopping: // gave up
	case <-ctx.Done():
		s.giveUp(fmt.Errorf("starting the workers: %w", context.Cause(ctx)))
	}
	s.startup = time.Since(begin)
	if err := s.Err(); err != nil {
		s.shutdown()
		<-s.done
		return err
	}
	return nil
}

// closeWhenDone closes s.done once every slot and helper has ended, after
// removing what process mode left: the guard and the socket directory.
func (s *Supervisor) closeWhenDone() {
	s.wg.Wait()
	s.backend.close()
	close(s.done)
}

// addSlotLocked adds a slot to pool p with a new id; the caller holds s.mu.
func (s *Supervisor) addSlotLocked(p *pool) *slot {
	s.lastID++
	sl := newSlot(s, p, s.lastID)
	s.slots = append(s.slots, sl)
	p.mu.Lock()
	p.slots = append(p.slots, sl)
	p.mu.Unlock()
	return sl
}

// Submit queues t and returns its future. ctx belongs to the task: while
// the task waits, the end of ctx ends it at once, canceled; while it runs,
// its worker cancels it (in process mode, the kill ladder kills the worker
// if the task ignores that). When Config.MaxQueued tasks already wait,
// Submit waits for room, under ctx. After Stop, the future is already done,
// canceled with ErrStopped.
func (s *Supervisor) Submit(ctx context.Context, t worker.Task) *Future[[]byte] {
	f, j := s.newTask(ctx, t)
	s.place(s.route(t.Name), j)
	return f
}

// TrySubmit is Submit without waiting: when Config.MaxQueued tasks already
// wait, it returns ErrQueueFull and no future.
func (s *Supervisor) TrySubmit(ctx context.Context, t worker.Task) (*Future[[]byte], error) {
	f, j := s.newTask(ctx, t)
	p := s.route(t.Name)
	if p == nil {
		s.finish(j, Result{Status: StatusFailed, Err: fmt.Errorf("%w: %q", ErrNoPool, t.Name)})
		return f, nil
	}
	switch res, _ := p.offer(j, true); res {
	case offerFull:
		return nil, ErrQueueFull
	case offerClosed:
		s.finish(j, stoppedResult(s))
	}
	s.spareUp()
	return f, nil
}

func (s *Supervisor) newTask(ctx context.Context, t worker.Task) (*Future[[]byte], *job) {
	j := &job{id: s.nextID.Add(1), task: t, ctx: ctx, queuedAt: time.Now()}
	j.fut = newFutureState(j.id, t)
	p := s.route(t.Name)
	if p != nil {
		j.fut.cancel = func() bool { return p.cancel(j, ErrCanceled) }
	}
	return &Future[[]byte]{st: j.fut, conv: rawOutput}, j
}

// place queues j on p, waiting for room under its context, or gives it
// its result when it cannot be queued.
func (s *Supervisor) place(p *pool, j *job) {
	if p == nil {
		s.finish(j, Result{Status: StatusFailed, Err: fmt.Errorf("%w: %q", ErrNoPool, j.task.Name)})
		return
	}
	switch p.submit(j.ctx, j) {
	case offerClosed:
		s.finish(j, stoppedResult(s))
	case offerFull: // its context ended while it waited for room
		s.finish(j, canceledResult(context.Cause(j.ctx)))
	}
	s.spareUp()
}

func (s *Supervisor) route(name string) *pool {
	if p, ok := s.routes[name]; ok {
		return p
	}
	return s.routes[""]
}

// finish gives j its result: the only way a task gets one. A Map call's
// chunk job gives r to each of its inputs.
func (s *Supervisor) finish(j *job, r Result) {
	if j.chunk != nil {
		for i := j.lo; i < j.hi; i++ {
			j.chunk.set(i, r)
		}
		s.finishWritten(j, r)
		return
	}
	r.ID, r.Task, r.Attempts, r.Queued = j.id, j.task, j.attempts, j.queued
	s.counts[r.Status].Add(1)
	// The event first: whoever waits for the future then finds the event
	// already delivered (a live view, a test counting results).
	s.emit(TaskFinished{Result: r})
	j.fut.complete(r)
}

// finishAll gives every job of js the result r.
func (s *Supervisor) finishAll(js []*job, r Result) {
	for _, j := range js {
		s.finish(j, r)
	}
}

// finishWritten completes a chunk job whose inputs hold their results.
func (s *Supervisor) finishWritten(j *job, _ Result) {
	c := j.chunk
	ok := int64(0)
	for i := j.lo; i < j.hi; i++ {
		if st := c.out[i].status; st == StatusOK {
			ok++
		} else {
			s.counts[st].Add(1)
		}
	}
	s.counts[StatusOK].Add(ok) // one atomic add per job, not per input: the slots share the counter
	if c.res != nil {
		for i := j.lo; i < j.hi; i++ {
			r := &c.res[i]
			r.ID, r.Task, r.Attempts, r.Queued = c.firstID+uint64(i), worker.Task{Name: c.name, Input: c.inputs[i]}, j.attempts, j.queued
			s.cfg.OnEvent(TaskFinished{Result: *r})
		}
	}
	c.resolve(j.hi - j.lo)
}

// canceledResult is the result of a task cancelled with cause before it
// ran, or while it ran.
func canceledResult(cause error) Result {
	if cause == nil {
		cause = context.Canceled
	}
	return Result{Status: StatusCanceled, Err: cause}
}

// stoppedResult is the result of a task that did not run, or was cut
// short, because the supervisor stopped.
func stoppedResult(s *Supervisor) Result {
	return Result{Status: StatusCanceled, Err: s.stoppedErr()}
}

// stoppedErr is ErrStopped, with why the supervisor stopped if it gave up.
func (s *Supervisor) stoppedErr() error {
	if err := s.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrStopped, err)
	}
	return ErrStopped
}

func (s *Supervisor) isStopping() bool { return isDone(s.stopping) }

// Done is closed when the supervisor has stopped: after Stop, or after it
// gave up.
func (s *Supervisor) Done() <-chan struct{} { return s.done }

// Err is why the supervisor gave up, wrapping ErrGaveUp, or nil.
func (s *Supervisor) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Config is the configuration in use, with defaults filled in.
func (s *Supervisor) Config() Config { return s.cfg }

func (s *Supervisor) emit(e Event) {
	if s.cfg.OnEvent != nil {
		s.cfg.OnEvent(e)
	}
}

func (s *Supervisor) allSlots() []*slot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*slot(nil), s.slots...)
}

// restarted records an unplanned restart and reports whether the
// intensity limit is now exceeded.
func (s *Supervisor) restarted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.intensity.add(time.Now())
}
