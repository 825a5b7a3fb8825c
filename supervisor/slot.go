package supervisor

import (
	"github.com/procpool/supervisor/worker"

	"sync"
	"sync/atomic"
	"time"
)

// A slot is one worker position in a pool. It keeps a worker in place,
// replacing it whenever it ends, until the supervisor stops or the slot is
// removed. Worker ids are slot ids, so "worker 2" stays worker 2 across
// restarts while its PID changes; ids are never reused.
type slot struct {
	s  *Supervisor
	p  *pool
	id int

	// Guarded by p.mu.
	running []*job   // its jobs: sent to its worker, or handed to it unsent
	inbox   []*job   // handed to it while it waited, not yet sent
	inst    instance // its current worker, nil while none is ready
	removed bool     // retired by RemoveWorker: not replaced when its worker ends
	adding  bool     // AddWorker has not returned yet; guarded by s.mu

	wake chan struct{} // a job was handed to it, or it should look again

	ticket uint64 // the last ticket given to a job; never reused

	// The slot goroutine's own.
	flights []flight      // batches sent and not yet answered, oldest first
	window  int           // how many it may have in flight now, see window.go
	scratch []worker.Task // what Send is given, reused: Send copies what it keeps

	// Read by Workers and the sampler.
	state       atomic.Int32 // a WorkerState
	life        atomic.Pointer[life]
	done        atomic.Int64 // tasks that ended here ok
	failed      atomic.Int64 // tasks that ended here not ok
	restarts    atomic.Int64
	consecutive atomic.Int64 // deaths in a row without a completed task
	sample      atomic.Pointer[resourceSample]
}

// A flight is a batch sent to the slot's worker and not yet answered.
type flight struct {
	ticket uint64
	job    *job
}

// A resourceSample is what the sampler last read of a worker process.
type resourceSample struct {
	rss  int64
	cpu  float64 // percent of one CPU since the sample before
	cpus string  // CPU affinity, as /proc lists it
}

func newSlot(s *Supervisor, p *pool, id int) *slot {
	return &slot{s: s, p: p, id: id, wake: make(chan struct{}, 1)}
}

// nudge wakes the slot if it waits; a nudge while it does not is kept for
// its next wait, where it costs a look at the queue.
func (sl *slot) nudge() {
	select {
	case sl.wake <- struct{}{}:
	default:
	}
}

func (sl *slot) setState(st WorkerState) { sl.state.Store(int32(st)) }

// A life is one worker instance's time in a slot.
type life struct {
	inst   instance
	spare  bool
	began  time.Time
	record *ProcessRecord

	quit     chan struct{} // closed: take no more tasks (it died, or is being retired)
	quitOnce sync.Once
	tasks    atomic.Int64 // tasks sent to it, for Config.MaxTasksPerWorker
	useful   atomic.Bool  // completed a task, so its death is not a crash loop

	mu      sync.Mutex
	planned Cause  // why the supervisor ended it, if it did
	memory  string // set when it passed the memory limit
	culprit *job   // the task it was executing when it died, if one was
}

func newLife(inst instance, spare bool) *life {
	l := &life{inst: inst, spare: spare, began: time.Now(), quit: make(chan struct{})}
	go func() {
		select {
		case <-inst.Done():
			l.leave()
		case <-l.quit:
		}
	}()
	return l
}

// leave closes quit: the worker takes nothing more.
func (l *life) leave() { l.quitOnce.Do(func() { close(l.quit) }) }

func (l *life) leaving() bool { return isDone(l.quit) }

// plan records that the supervisor itself is ending this worker; the first
// cause given wins.
func (l *life) plan(c Cause) {
	l.mu.Lock()
	if l.planned == CauseNone {
		l.planned = c
	}
	l.mu.Unlock()
}

func (l *life) plannedCause() Cause {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.planned
}

func (l *life) memoryNote() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.memory
}

func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
