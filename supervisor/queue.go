package supervisor

import "sync"

// A queue holds the tasks waiting for a pool's workers. A task pushed while
// a worker is waiting goes straight to that worker (one channel send, no
// queueing); a retried task goes to the front. It is safe for concurrent
// use.
type queue struct {
	mu      sync.Mutex
	jobs    []*job
	waiters []*waiter
	closed  bool
	paused  bool
}

// A waiter is one dispatch goroutine waiting for a job.
type waiter struct{ ch chan *job }

func newWaiter() *waiter { return &waiter{ch: make(chan *job, 1)} }

// push adds j at the back, or the front for a retry. It returns false once
// the queue is closed; the caller then owns j's result.
func (q *queue) push(j *job, front bool) bool {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return false
	}
	if !q.paused && len(q.waiters) > 0 {
		w := q.waiters[0]
		q.waiters = q.waiters[1:]
		q.mu.Unlock()
		w.ch <- j // never blocks: capacity 1, and w was waiting empty
		return true
	}
	if front {
		q.jobs = append([]*job{j}, q.jobs...)
	} else {
		q.jobs = append(q.jobs, j)
	}
	q.mu.Unlock()
	return true
}

// pushAll adds jobs at the back, handing the first ones to waiting
// workers, under one lock: a Map call queues all its chunks at once. It
// returns the jobs it could not queue because the queue is closed; the
// caller owns their results.
func (q *queue) pushAll(jobs []*job) []*job {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return jobs
	}
	var hand []*job
	var to []*waiter
	for !q.paused && len(q.waiters) > 0 && len(jobs) > 0 {
		hand, to = append(hand, jobs[0]), append(to, q.waiters[0])
		jobs, q.waiters = jobs[1:], q.waiters[1:]
	}
	q.jobs = append(q.jobs, jobs...)
	q.mu.Unlock()
	for i, j := range hand {
		to[i].ch <- j // never blocks: capacity 1, and the waiter was empty
	}
	return nil
}

// tryGet appends up to n of the jobs waiting to into, without waiting,
// under one lock: the slots of a pool share the queue, and a lock taken
// per job, bouncing between their CPUs, was a fifth of the locking a
// pipelined task paid.
func (q *queue) tryGet(into []*job, n int) []*job {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.paused {
		return into
	}
	n = min(n, len(q.jobs))
	into = append(into, q.jobs[:n]...)
	clear(q.jobs[:n])
	q.jobs = q.jobs[n:]
	return into
}

// get returns the next job, waiting for one until stop or gone is closed.
// Then it returns nil, or the job that was handed to w as it gave up: the
// caller must deal with that job (run it, requeue it or reject it) because
// the queue may be closed by then.
func (q *queue) get(w *waiter, stop, gone <-chan struct{}) *job {
	q.mu.Lock()
	if !q.paused && len(q.jobs) > 0 {
		j := q.jobs[0]
		q.jobs[0] = nil
		q.jobs = q.jobs[1:]
		q.mu.Unlock()
		return j
	}
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.waiters = append(q.waiters, w)
	q.mu.Unlock()
	select {
	case j := <-w.ch:
		return j
	case <-stop:
	case <-gone:
	}
	return q.withdraw(w)
}

// withdraw removes w from the waiters and returns the job handed to it
// meanwhile, if any.
func (q *queue) withdraw(w *waiter) *job {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, x := range q.waiters {
		if x == w {
			q.waiters = append(q.waiters[:i], q.waiters[i+1:]...)
			break
		}
	}
	select {
	case j := <-w.ch:
		return j
	default:
		return nil
	}
}

// close stops the queue and returns the jobs still in it: they will never
// run, and the caller owns their results.
func (q *queue) close() []*job {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	left := q.jobs
	q.jobs = nil
	return left
}

// setPaused stops or resumes handing out jobs. Resuming hands queued jobs
// to the waiting workers.
func (q *queue) setPaused(p bool) {
	q.mu.Lock()
	q.paused = p
	var hand []*job
	var to []*waiter
	for !p && len(q.jobs) > 0 && len(q.waiters) > 0 {
		hand = append(hand, q.jobs[0])
		to = append(to, q.waiters[0])
		q.jobs, q.waiters = q.jobs[1:], q.waiters[1:]
	}
	q.mu.Unlock()
	for i, j := range hand {
		to[i].ch <- j
	}
}

// len is how many jobs wait.
func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.jobs)
}
