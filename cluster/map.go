package cluster

import (
	"context"
	"fmt"
	"iter"

	"github.com/procpool/supervisor/supervisor"
)

// chunkOverhead is what one input costs a task message beyond its bytes,
// counted generously: its length prefix, and a share of the headers.
const chunkOverhead = 64

// mapWindow is how many chunks of a Map call are in flight or waiting to be
// yielded at most: enough to keep every agent's workers busy across the
// round trips, few enough that memory stays bounded.
const mapWindow = 64

// Map runs task name on every input, chunksize inputs to a message, and
// yields each input's output and error in input order, as the local
// pool's Map does; it streams, with at most a window of chunks in flight. A
// chunk is one message: one delivery to one agent, which runs its inputs
// one after another on one worker; a chunk whose worker died is delivered
// again whole, and all its inputs are charged with the death. Chunks are
// kept within the server's max payload. A chunksize below 1 yields
// supervisor.ErrChunksize once. Every input's result also goes to
// Config.OnResult. When the caller stops early, the chunks in flight are
// cancelled and Map waits for their results.
func (e *Executor) Map(ctx context.Context, name string, inputs iter.Seq[[]byte], chunksize int) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		if chunksize < 1 {
			yield(nil, fmt.Errorf("%w: got %d", supervisor.ErrChunksize, chunksize))
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		m := &mapCall{e: e, ctx: ctx, name: name, size: chunksize, max: int(e.nc.MaxPayload())}
		defer m.wait()
		defer cancel()
		next, stop := iter.Pull(inputs)
		defer stop()
		for {
			m.fill(next)
			if len(m.chunks) == 0 {
				return
			}
			c := m.chunks[0]
			<-c.done
			m.chunks = m.chunks[1:]
			for _, r := range c.out {
				if !yield(r.Output, r.Err) {
					return
				}
			}
		}
	}
}

// A mapCall is one Map in progress: its chunks, oldest first.
type mapCall struct {
	e      *Executor
	ctx    context.Context
	name   string
	size   int // chunksize
	max    int // bytes a message may carry
	chunks []*mapChunk
	held   []byte // an input read but left for the next chunk, when holding
	hold   bool
	ended  bool
}

// A mapChunk is one message's inputs and, once done is closed, results.
type mapChunk struct {
	out  []Result
	done chan struct{}
}

// fill sends chunks until the window is full or the inputs run out.
func (m *mapCall) fill(next func() ([]byte, bool)) {
	for len(m.chunks) < mapWindow {
		inputs := m.cut(next)
		if len(inputs) == 0 {
			return
		}
		n := uint64(len(inputs))
		c := &mapChunk{done: make(chan struct{})}
		p := m.e.newPending(m.e.nextID.Add(n)-n+1, m.name, inputs, func(rs []Result) {
			c.out = rs
			close(c.done)
		})
		m.chunks = append(m.chunks, c)
		m.e.start(m.ctx, p)
	}
}

// cut reads the next chunk's inputs: up to the chunksize, within the max
// payload (an input alone over it travels alone).
func (m *mapCall) cut(next func() ([]byte, bool)) [][]byte {
	var inputs [][]byte
	bytes := 0
	for len(inputs) < m.size {
		in, ok := m.held, m.hold
		if !ok && !m.ended {
			if in, ok = next(); !ok {
				m.ended = true
			}
		}
		if !ok {
			break
		}
		if n := len(in) + chunkOverhead; len(inputs) > 0 && bytes+n > m.max {
			m.held, m.hold = in, true
			break
		}
		m.held, m.hold = nil, false
		inputs = append(inputs, in)
		bytes += len(in) + chunkOverhead
	}
	return inputs
}

// wait waits for the chunks still out: cancelled, they end soon.
func (m *mapCall) wait() {
	for _, c := range m.chunks {
		<-c.done
	}
}
