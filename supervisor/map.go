package supervisor

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
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
		next, stop := iter.Pull(inputs)
		defer stop()
		for {
			m.fill(next)
			c := m.oldest()
			if c == nil {
				return
			}
			<-c.done
			for i := range c.out {
				if !yield(c.out[i].Output, c.out[i].Err) {
					return
				}
			}
			m.pop()
		}
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

	mu     sync.Mutex // guards each chunk's left
	chunks []*chunk
	ended  bool   // the inputs ran out
	next   []byte // an input read but not yet in a chunk, when held
	held   bool
}

func (s *Supervisor) newMapCall(ctx context.Context, name string, size int) *mapCall {
	ctx, cancel := context.WithCancelCause(ctx)
	workers := 0
	p := s.route(name)
	if p != nil {
		workers = p.Workers
	}
	return &mapCall{s: s, ctx: ctx, cancel: cancel, name: name, size: size, p: p,
		window: max(4, 2*workers*s.cfg.InFlight)}
}

// fill reads inputs and sends chunks until the window is full or the
// inputs run out.
func (m *mapCall) fill(next func() ([]byte, bool)) {
	for len(m.chunks) < m.window {
		inputs := m.cut(next)
		if len(inputs) == 0 {
			return
		}
		m.send(inputs)
	}
}

// cut reads the next chunk's inputs: up to the chunksize, and within the
// payload limit (an input over it travels alone, and fails alone). An
// input that would push a chunk over the limit waits for the next one.
func (m *mapCall) cut(next func() ([]byte, bool)) [][]byte {
	var inputs [][]byte
	bytes := 0
	for len(inputs) < m.size {
		in, ok := m.peek(next)
		if !ok {
			break
		}
		n := len(in) + len(m.name) + chunkOverhead
		if len(inputs) > 0 && bytes+n > m.s.cfg.MaxPayload {
			break
		}
		m.held = false
		inputs = append(inputs, in)
		bytes += n
	}
	return inputs
}

// peek returns the next input without taking it: the one held back by cut,
// or a new one from the caller's sequence.
func (m *mapCall) peek(next func() ([]byte, bool)) ([]byte, bool) {
	if m.held {
		return m.next, true
	}
	if m.ended {
		return nil, false
	}
	in, ok := next()
	if !ok {
		m.ended = true
		return nil, false
	}
	m.next, m.held = in, true
	return in, true
}

// chunkOverhead is what a task costs a message beyond its input, counted
// generously: the frame path's envelope is 22 bytes and the name.
const chunkOverhead = 64

// send makes inputs a chunk and queues its job.
func (m *mapCall) send(inputs [][]byte) {
	s := m.s
	n := uint64(len(inputs))
	c := &chunk{m: m, name: m.name, firstID: s.nextID.Add(n) - n + 1, inputs: inputs,
		out: make([]Result, len(inputs)), left: len(inputs), done: make(chan struct{})}
	m.chunks = append(m.chunks, c)
	j := &job{id: c.firstID, task: worker.Task{Name: m.name, Input: inputs[0]}, chunk: c, ctx: m.ctx, hi: len(inputs), queuedAt: time.Now()}
	s.place(m.p, j)
}

// oldest is the chunk to yield next, or nil when all are yielded.
func (m *mapCall) oldest() *chunk {
	if len(m.chunks) == 0 {
		return nil
	}
	return m.chunks[0]
}

func (m *mapCall) pop() {
	m.chunks[0] = nil
	m.chunks = m.chunks[1:]
}

// close cancels what is left of the call and waits for it.
func (m *mapCall) close() {
	m.cancel(errMapClosed)
	for _, c := range m.chunks {
		<-c.done
	}
}

// errMapClosed is the cause given to the chunks of a Map call whose caller
// stopped iterating: nobody will read their results.
var errMapClosed = errors.New("map call ended")

// resolve records that n inputs of c have their results; the last one
// releases the chunk.
func (c *chunk) resolve(n int) {
	c.m.mu.Lock()
	c.left -= n
	last := c.left == 0
	c.m.mu.Unlock()
	if last {
		close(c.done)
	}
}
