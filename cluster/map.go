package cluster

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/procpool/supervisor/supervisor"
)

// chunkOverhead is what one input costs a task message beyond its bytes,
// counted generously: its length prefix, and a share of the headers.
const chunkOverhead = 64

// Map runs task name on every input, chunksize inputs to a message, and
// returns one MapResult per input, in input order, like the local pool's
// Map. A chunk is one message: one delivery to one agent, which runs its
// inputs one after another on one worker; a chunk whose worker died is
// delivered again whole, and all its inputs are charged with the death.
// Chunks are kept within the server's max payload. chunksize < 1 means 1.
// Every input's result also goes to Config.OnResult. The error is the
// call's as a whole: ctx ended before every chunk did, or the executor
// stopped; per-input failures are in MapResult.Err.
func (e *Executor) Map(ctx context.Context, name string, inputs [][]byte, chunksize int) ([]MapResult, error) {
	out := make([]MapResult, len(inputs))
	if len(inputs) == 0 {
		return out, nil
	}
	first := e.nextID.Add(uint64(len(inputs))) - uint64(len(inputs)) + 1
	var wg sync.WaitGroup
	var mu sync.Mutex
	var stopped bool
	for _, c := range chunks(inputs, max(chunksize, 1), int(e.nc.MaxPayload())) {
		wg.Add(1)
		p := e.newPending(first+uint64(c.lo), name, inputs[c.lo:c.hi], func(rs []Result) {
			defer wg.Done()
			for i, r := range rs {
				out[c.lo+i] = MapResult{Output: r.Output, Err: r.Err, Exec: r.Exec}
				if errors.Is(r.Err, supervisor.ErrStopped) {
					mu.Lock()
					stopped = true
					mu.Unlock()
				}
			}
		})
		e.start(ctx, p)
	}
	wg.Wait()
	switch {
	case stopped:
		return out, supervisor.ErrStopped
	case ctx.Err() != nil:
		return out, context.Cause(ctx)
	}
	return out, nil
}

// MapResult is one input's outcome in Map.
type MapResult struct {
	Output []byte
	Err    error         // nil when the task succeeded
	Exec   time.Duration // how long the task ran in the worker
}

type span struct{ lo, hi int }

// chunks splits inputs into spans of at most size inputs and about
// maxPayload bytes; an input alone over it gets a span of its own.
func chunks(inputs [][]byte, size, maxPayload int) []span {
	var out []span
	for lo := 0; lo < len(inputs); {
		hi, bytes := lo, 0
		for hi < len(inputs) && hi-lo < size {
			n := len(inputs[hi]) + chunkOverhead
			if hi > lo && bytes+n > maxPayload {
				break
			}
			bytes += n
			hi++
		}
		out = append(out, span{lo, hi})
		lo = hi
	}
	return out
}
