package supervisor

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync/atomic"
	"time"

	"github.com/procpool/supervisor/worker"
)

// ErrChunksize is the error of a Map call with a chunksize below 1.
var ErrChunksize = errors.New("chunksize must be at least 1")

// Map runs task name on every input, chunksize inputs to a message, and
// yields each input's output and error in input order, like Python's
// Executor.map(fn, inputs, chunksize=...). It streams: inputs are read as
// chunks are sent, and at most a window of chunks (a few per worker) is in
// flight or waiting to be yielded, so memory stays bounded whatever the
// number of inputs. A chunksize below 1 yields ErrChunksize once.
//
// A chunk is one hand-off to a worker: one message to a worker process, or
// one hand-off to a worker goroutine; its tasks run there one after
// another. Chunks go through the same queues, pools, retries, timeouts
// (Config.Timeout times the chunk's length) and kill ladder as tasks given
// to Submit. When a worker dies under a chunk, only the input that was
// executing is charged with the death; the others run again. Chunks are
// kept within Config.MaxPayload, so an input alone over the limit fails
// alone.
//
// Map does not copy the inputs: each must stay unchanged until its output
// is yielded (an iterator that reuses one buffer, such as
// bufio.Scanner.Bytes, must yield copies).
//
// Each input is a task for the rest of the supervisor: it has an ID, counts
// in Stats, and gets its TaskFinished event, whose Result.RoundTrip is its
// own Exec plus an equal share of the rest of its chunk's round trip.
//
// When ctx ends, inputs not yet run end canceled (their error wraps the
// context's) and the iteration goes on to the end of what was read. When
// the caller stops iterating early, the chunks in flight are cancelled and
// Map waits for them before returning, so no work of the call outlives it.
func (s *Supervisor) Map(ctx context.Context, name string, inputs iter.Seq[[]byte], chunksize int) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		if chunksize < 1 {
			yield(nil, fmt.Errorf("%w: got %d", ErrChunksize, chunksize))
			return
		}
		m := s.newMapCall(ctx, name, chunksize)
		defer m.close()
		// Push, not pull: reading the inputs with iter.Pull cost a
		// coroutine switch per input. The loop sends each chunk as it
		// fills and yields what has come back whenever the window is full
		// or the oldest chunk is done.
		c := m.newChunk()
		for in := range inputs {
			if !c.fits(in) {
				if !m.send(c, yield) {
					return
				}
				c = m.newChunk()
			}
			c.add(in)
			if len(c.inputs) == m.size {
				if !m.send(c, yield) {
					return
				}
				c = m.newChunk()
			}
		}
		if len(c.inputs) > 0 && !m.send(c, yield) {
			return
		}
		m.drain(yield, true)
	}
}

// A mapCall is one call of Map in progress: its window of chunks, oldest
// first.
type mapCall struct {
	s      *Supervisor
	ctx    context.Context
	cancel context.CancelCauseFunc
	name   string
	size   int // chunksize
	window int // chunks at most in flight or waiting to be yielded
	p      *pool
	events bool // Config.OnEvent is set: keep each input's whole Result

	chunks []*chunk // in flight or waiting to be yielded, oldest first
	free   []*chunk // yielded, for reuse

	// The caller waits for the oldest chunk without a lock: it publishes
	// the chunk's firstID in waiter, and whoever resolves that chunk's
	// last input takes it back out and sends a token on ready (see wait).
	// The ID, not the chunk: chunks are reused, and a resolver a moment
	// late must not take the chunk's next use for its own (it did: the
	// caller then yielded outputs not yet written).
	waiter atomic.Uint64
	ready  chan struct{}
}

func (s *Supervisor) newMapCall(ctx context.Context, name string, size int) *mapCall {
	ctx, cancel := context.WithCancelCause(ctx)
	workers := 0
	p := s.route(name)
	if p != nil {
		workers = p.Workers
	}
	return &mapCall{s: s, ctx: ctx, cancel: cancel, name: name, size: size, p: p,
		events: s.cfg.OnEvent != nil, ready: make(chan struct{}, 1),
		window: max(4, 2*workers*s.cfg.InFlight)}
}

// newChunk returns an empty chunk, reusing one already yielded.
func (m *mapCall) newChunk() *chunk {
	if n := len(m.free); n > 0 {
		c := m.free[n-1]
		m.free = m.free[:n-1]
		return c
	}
	return &chunk{m: m, name: m.name, inputs: make([][]byte, 0, m.size)}
}

// fits reports whether in can join c within the payload limit: an input
// that would push a chunk over it waits for the next one, and one over the
// limit alone travels alone (and fails alone).
func (c *chunk) fits(in []byte) bool {
	return len(c.inputs) == 0 || c.bytes+len(in)+len(c.name)+chunkOverhead <= c.m.s.cfg.MaxPayload
}

func (c *chunk) add(in []byte) {
	c.inputs = append(c.inputs, in)
	c.bytes += len(in) + len(c.name) + chunkOverhead
}

// chunkOverhead is what a task costs a message beyond its input, counted
// generously: the frame path's envelope is 22 bytes and the name.
const chunkOverhead = 64

// send queues c's job, then yields what is ready: everything done at the
// front of the window, and, while the window is full, waits for the
// oldest. It reports false when the caller stopped iterating.
func (m *mapCall) send(c *chunk, yield func([]byte, error) bool) bool {
	s := m.s
	n := len(c.inputs)
	c.firstID = s.nextID.Add(uint64(n)) - uint64(n) + 1
	c.left.Store(int64(n))
	c.out = grow(c.out, n)
	if m.events {
		c.res = grow(c.res, n)
	}
	m.chunks = append(m.chunks, c)
	j := &job{id: c.firstID, task: worker.Task{Name: m.name, Input: c.inputs[0]}, chunk: c, ctx: m.ctx, hi: n, queuedAt: time.Now()}
	s.place(m.p, j)
	return m.drain(yield, false)
}

// grow returns s resliced to n, reallocated if it is too short.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// drain yields the chunks at the front of the window that are done; with
// all, or while the window is full, it waits for the oldest. It reports
// false when the caller stopped iterating.
func (m *mapCall) drain(yield func([]byte, error) bool, all bool) bool {
	for len(m.chunks) > 0 {
		c := m.chunks[0]
		if !all && len(m.chunks) < m.window && !m.isDone(c) {
			return true
		}
		m.wait(c)
		for i := range c.out {
			if !yield(c.out[i].output, c.out[i].err) {
				return false
			}
		}
		m.pop()
	}
	return true
}

func (m *mapCall) isDone(c *chunk) bool { return c.left.Load() == 0 }

// wait waits until every input of c has its result. Either it sees c done
// after publishing it, or the resolver of c's last input sees it published:
// exactly one of them takes it back (the CompareAndSwap), and if that is
// the resolver, a token is on its way.
func (m *mapCall) wait(c *chunk) {
	if c.left.Load() == 0 {
		return
	}
	m.waiter.Store(c.firstID)
	if c.left.Load() == 0 && m.waiter.CompareAndSwap(c.firstID, 0) {
		return
	}
	<-m.ready
}

// pop drops the oldest chunk, yielded, and keeps it for reuse: nothing
// refers to it any more, its jobs being done.
func (m *mapCall) pop() {
	c := m.chunks[0]
	m.chunks[0] = nil
	m.chunks = m.chunks[1:]
	clear(c.inputs)
	clear(c.out)
	clear(c.res)
	c.inputs, c.bytes = c.inputs[:0], 0
	m.free = append(m.free, c)
}

// close cancels what is left of the call and waits for it.
func (m *mapCall) close() {
	m.cancel(errMapClosed)
	for _, c := range m.chunks {
		m.wait(c)
	}
}

// errMapClosed is the cause given to the chunks of a Map call whose caller
// stopped iterating: nobody will read their results.
var errMapClosed = errors.New("map call ended")

// resolve records that n inputs of c have their results, and wakes the
// caller if it waits for c and c is now done.
func (c *chunk) resolve(n int) {
	id := c.firstID // read first: once left is 0, the caller may reuse c
	if c.left.Add(-int64(n)) == 0 && c.m.waiter.CompareAndSwap(id, 0) {
		c.m.ready <- struct{}{}
	}
}
