package supervisor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/procpool/supervisor/worker"
)

// A Supervisor runs tasks on a pool of workers and keeps the pool alive.
// Its methods are safe for concurrent use.
type Supervisor struct {
	cfg    Config
	start  startFunc
	jitter func() float64
	gil    worker.GIL // shared by every goroutine worker under Config.GIL

	pools  []*pool
	routes map[string]*pool // task name → its pool; "" for the pool taking any task

	nextID atomic.Uint64
	counts [len(statusNames)]atomic.Int64

	stopping chan struct{} // closed when Stop begins or the supervisor gives up
	stopOnce sync.Once
	stopCtx  context.Context // Stop's ctx, for stopping workers; set before stopping closes
	done     chan struct{}   // closed when everything has stopped

	mu        sync.Mutex
	err       error // why it gave up
	paused    bool
	intensity intensity
	slots     []*slot
	history   []*ProcessRecord

	spares  chan instance
	wg      sync.WaitGroup // slot and helper goroutines
	started time.Time
	startup time.Duration
}

type pool struct {
	Pool
	q *queue
}

// New starts the workers, in parallel, and returns once all are ready. It
// fails, wrapping ErrGaveUp, if a worker cannot start, and wrapping
// ErrConfig for a configuration it cannot use.
func New(cfg Config) (*Supervisor, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
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
	s.start = s.startProcess
	if cfg.Mode == ModeThread {
		s.start = s.startGoroutine
	}
	if err := s.buildPools(); err != nil {
		return nil, err
	}
	if err := s.startWorkers(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Supervisor) buildPools() error {
	for _, p := range s.cfg.Pools {
		pl := &pool{Pool: p, q: &queue{}}
		s.pools = append(s.pools, pl)
		if len(p.Tasks) == 0 {
			if _, dup := s.routes[""]; dup {
				return fmt.Errorf("%w: more than one pool takes any task", ErrConfig)
			}
			s.routes[""] = pl
		}
		for _, name := range p.Tasks {
			if _, err := worker.Lookup(name); err != nil {
				return fmt.Errorf("%w: pool %q: %w", ErrConfig, p.Name, err)
			}
			if other, dup := s.routes[name]; dup {
				return fmt.Errorf("%w: task %q is in pools %q and %q", ErrConfig, name, other.Name, p.Name)
			}
			s.routes[name] = pl
		}
	}
	return nil
}

// startWorkers starts every slot's first worker in parallel and, once they
// are all ready, the warm spares.
func (s *Supervisor) startWorkers() error {
	var slots []*slot
	for _, p := range s.pools {
		for range p.Workers {
			slots = append(slots, &slot{s: s, id: len(slots) + 1, pool: p})
		}
	}
	begin := time.Now()
	lives := make([]*life, len(slots))
	errs := make([]error, len(slots))
	var wg sync.WaitGroup
	for i, sl := range slots {
		wg.Go(func() { lives[i], errs[i] = sl.begin(false, time.Time{}) })
	}
	wg.Wait()
	s.startup = time.Since(begin)
	if err := errors.Join(errs...); err != nil {
		for _, l := range lives {
			if l != nil {
				_ = l.inst.Stop(context.Background())
			}
		}
		return fmt.Errorf("%w: workers cannot start: %w", ErrGaveUp, err)
	}
	s.slots = slots
	for i, sl := range slots {
		s.wg.Go(func() { sl.run(lives[i]) })
	}
	for range s.cfg.Spares {
		s.wg.Go(s.keepSpare)
	}
	if s.cfg.Mode == ModeProcess {
		s.wg.Go(s.sample)
	}
	return nil
}

// Submit queues t and returns its future. ctx cancels the task: while it
// waits, it never starts; while it runs, its worker cancels it (and kills
// it, in process mode, if it ignores that). After Stop, the future is
// already done, with ErrStopped.
func (s *Supervisor) Submit(ctx context.Context, t worker.Task) *Future {
	j := &job{id: s.nextID.Add(1), task: t, ctx: ctx, queuedAt: time.Now()}
	j.fut = newFuture(j.id, t)
	p := s.route(t.Name)
	switch {
	case p == nil:
		s.finish(j, Result{Status: StatusFailed, Err: fmt.Errorf("%w: %q", ErrNoPool, t.Name)})
	case !p.q.push(j, false):
		s.finish(j, Result{Status: StatusCanceled, Err: s.stoppedErr()})
	}
	return j.fut
}

func (s *Supervisor) route(name string) *pool {
	if p, ok := s.routes[name]; ok {
		return p
	}
	return s.routes[""]
}

// finish completes j's future with r: the only way a task gets its result.
// A Map call's chunk gives r to each of its inputs.
func (s *Supervisor) finish(j *job, r Result) {
	if j.chunk != nil {
		s.finishWhole(j, r)
		return
	}
	r.ID, r.Task, r.Attempts, r.Queued = j.id, j.task, j.attempts, j.queued
	s.counts[r.Status].Add(1)
	j.fut.complete(r)
	if s.cfg.OnEvent != nil {
		s.cfg.OnEvent(TaskFinished{Result: r})
	}
}

// stoppedErr is the error of a task that will not run because the
// supervisor stopped: ErrStopped, and why it stopped if it gave up.
func (s *Supervisor) stoppedErr() error {
	if err := s.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrStopped, err)
	}
	return ErrStopped
}

func (s *Supervisor) isStopping() bool {
	select {
	case <-s.stopping:
		return true
	default:
		return false
	}
}

// Stop stops the supervisor: no task starts any more and queued tasks end
// with ErrStopped; running tasks are cancelled (their workers walk the kill
// ladder if they ignore it); then the workers are stopped gently, and by
// force once ctx ends. It returns when every worker is gone and every task
// has its result, with the supervisor's error (see Err). It is safe to call
// more than once.
func (s *Supervisor) Stop(ctx context.Context) error {
	s.beginStop(ctx)
	<-s.done
	return s.Err()
}

// beginStop starts stopping, once; the first caller's ctx bounds the gentle
// part.
func (s *Supervisor) beginStop(ctx context.Context) {
	s.stopOnce.Do(func() {
		s.stopCtx = ctx
		close(s.stopping)
		for _, p := range s.pools {
			for _, j := range p.q.close() {
				s.finish(j, Result{Status: StatusCanceled, Err: s.stoppedErr()})
			}
		}
		for _, sl := range s.allSlots() {
			sl.cancelRunning(ErrStopped)
		}
		// Every task has its result once the slots are gone: queued ones
		// got theirs above, running ones from their slot on its way out.
		go func() {
			s.wg.Wait()
			close(s.done)
		}()
	})
}

// giveUp stops the supervisor because it cannot go on.
func (s *Supervisor) giveUp(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = fmt.Errorf("%w: %w", ErrGaveUp, err)
	}
	err = s.err
	s.mu.Unlock()
	s.emit(GaveUp{Err: err})
	ctx, cancel := context.WithTimeout(context.Background(), 4*s.cfg.Grace)
	s.beginStop(ctx)
	go func() { <-s.done; cancel() }()
}

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

// Startup is how long New took to start every worker, in parallel.
func (s *Supervisor) Startup() time.Duration { return s.startup }

// Counts is how many tasks have ended with each status so far.
func (s *Supervisor) Counts() map[Status]int {
	out := map[Status]int{}
	for i := range s.counts {
		if n := s.counts[i].Load(); n > 0 {
			out[Status(i)] = int(n)
		}
	}
	return out
}

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
