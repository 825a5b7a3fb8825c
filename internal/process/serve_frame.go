package process

import (
	"context"
	"os"
	"runtime"

	"github.com/procpool/supervisor/internal/frame"
)

// serveFrames answers the frame data path on the worker's end of the
// socketpair, on a goroutine locked to its OS thread: requests are read with
// blocking system calls and their tasks run inline, one after another, so a
// no-op task's round trip never leaves this thread. When the socket reaches
// EOF, the supervisor is gone (it closes its end only after the worker
// exits), and the worker kills its process group.
//
// The first batch of tasks waits for ready: the tasks' output must point at
// the host before any task runs (see taskOutput).
func serveFrames(data, answers *os.File, exec *executor, maxPayload int, ready <-chan struct{}) error {
	var conn *frame.Conn
	var err error
	if answers != nil {
		conn, err = frame.NewPipes(data, answers, frameOptions(maxPayload)...)
	} else {
		conn, err = frame.New(data, frameOptions(maxPayload)...)
	}
	if err != nil {
		return err
	}
	go func() {
		runtime.LockOSThread()
		a := answerer{ready: ready}
		_ = frame.Serve(conn, func(body []byte, w *frame.ReplyWriter) {
			_ = w.ReplyV(a.answer(exec, body)...)
		})
		// Not logged: see guardAgainstOrphaning.
		killOwnGroup(exec)
	}()
	return nil
}

// An answerer runs the batches that come in on the frame path and encodes
// their outcomes, task by task as they run: no array of requests or of
// outcomes in between (building those cost ~20 ns a task). It keeps its
// buffer from one batch to the next, so that answering allocates nothing
// of its own.
type answerer struct {
	out   partsBuilder
	name  string // the last task name seen, reused
	whole [1][]byte
	ready <-chan struct{} // nil once waited for
}

// answer runs the batch in body and returns the encoded outcomes, in parts
// (see partsBuilder), valid until the next call.
func (a *answerer) answer(exec *executor, body []byte) [][]byte {
	r, err := readBatch(body, a.name)
	if err == nil && r.n == 0 {
		a.whole[0] = le.AppendUint32(a.out.buf[:0], 0) // the first reply's empty batch
		return a.whole[:]
	}
	if a.ready != nil {
		// Not before the first reply: the host's first gRPC stream reaches
		// the worker 0.2-6 ms after the handshake here, most of a start.
		<-a.ready
		a.ready = nil
	}
	if err != nil {
		// The host never sends this; answering nothing makes its call fail
		// as a corrupt message rather than hang.
		return nil
	}
	out := &a.out
	clear(out.large) // the last batch's outputs: sent by now, and not ours to keep
	out.buf, out.cuts, out.large = le.AppendUint32(out.buf[:0], uint32(r.n)), out.cuts[:0], out.large[:0]
	var b batchRun
	var o outcome
	exec.begin(&b, context.Background(), r.first, r.n, r.deadline)
	for i := range r.n {
		b.run(r.first+uint64(i), r.next(), &o)
		out.buf = appendOutcomeHead(out.buf, &o)
		if len(o.output) >= largePayload {
			out.add(o.output)
		} else {
			out.buf = append(out.buf, o.output...)
		}
		out.buf = appendOutcomeTail(out.buf, &o)
	}
	b.end()
	a.name = r.name
	if r.end() != nil {
		return nil // answering nothing makes the host's call fail as corrupt
	}
	if len(out.cuts) == 0 {
		a.whole[0] = out.buf
		return a.whole[:]
	}
	return out.parts()
}
