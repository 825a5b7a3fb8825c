package process

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/procpool/supervisor/internal/workerpb"
)

// unaryPath makes one gRPC call per batch. Calls run under the worker's
// lifetime context, not the task's: cancellation travels separately, over
// Cancel, so that the host learns when the task really stopped.
type unaryPath struct {
	pipelined
	ctx    context.Context
	client workerpb.WorkerClient
}

func newUnaryPath(ctx context.Context, client workerpb.WorkerClient) *unaryPath {
	p := &unaryPath{ctx: ctx, client: client}
	p.pipelined = newPipelined(func(b batch) func() ([]outcome, error) {
		return func() ([]outcome, error) { return p.do(b) }
	})
	return p
}

func (p *unaryPath) do(b batch) ([]outcome, error) {
	resp, err := p.client.Do(p.ctx, toDoRequest(b))
	if err != nil {
		return nil, err
	}
	return fromDoResponse(resp, len(b.tasks))
}

func (p *unaryPath) close() error { return nil }

// streamPath sends batches on one long-lived stream. The worker answers in
// order, so waiters queue in order too; one goroutine reads the answers.
type streamPath struct {
	pipelined
	stream workerpb.Worker_StreamClient

	sendMu  sync.Mutex // orders Send with the waiter queue
	mu      sync.Mutex
	waiters []chan streamReply
	err     error // set once the stream has failed
}

type streamReply struct {
	outs []outcome
	err  error
}

func newStreamPath(ctx context.Context, client workerpb.WorkerClient) (*streamPath, error) {
	stream, err := client.Stream(ctx)
	if err != nil {
		return nil, err
	}
	p := &streamPath{stream: stream}
	p.pipelined = newPipelined(func(b batch) func() ([]outcome, error) {
		reply, err := p.enqueue(b)
		return func() ([]outcome, error) { return p.await(reply, err, b) }
	})
	go p.receive()
	return p, nil
}

func (p *streamPath) do(b batch) ([]outcome, error) {
	reply, err := p.enqueue(b)
	return p.await(reply, err, b)
}

// enqueue sends b on the stream and returns where its answer will come.
func (p *streamPath) enqueue(b batch) (chan streamReply, error) {
	reply := make(chan streamReply, 1)
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	p.mu.Lock()
	if p.err != nil {
		p.mu.Unlock()
		return nil, p.err
	}
	p.waiters = append(p.waiters, reply)
	p.mu.Unlock()
	// A failed Send needs no handling here: gRPC reports the cause to Recv,
	// and the receiver then answers every waiter, this one included.
	_ = p.stream.Send(toDoRequest(b))
	return reply, nil
}

// await waits for the answer to b, enqueued with the result reply, err.
func (p *streamPath) await(reply chan streamReply, err error, b batch) ([]outcome, error) {
	if err != nil {
		return nil, err
	}
	r := <-reply
	if r.err != nil {
		return nil, r.err
	}
	if len(r.outs) != len(b.tasks) {
		return nil, fmt.Errorf("stream: %d outcomes for %d tasks", len(r.outs), len(b.tasks))
	}
	return r.outs, nil
}

func (p *streamPath) receive() {
	for {
		resp, err := p.stream.Recv()
		if err != nil {
			p.fail(err)
			return
		}
		outs, _ := fromDoResponse(resp, len(resp.GetOutcomes()))
		p.mu.Lock()
		if len(p.waiters) == 0 {
			p.mu.Unlock()
			p.fail(errors.New("stream: answer with no question"))
			return
		}
		w := p.waiters[0]
		p.waiters = p.waiters[1:]
		p.mu.Unlock()
		w <- streamReply{outs: outs}
	}
}

func (p *streamPath) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = fmt.Errorf("stream: %w", err)
	}
	for _, w := range p.waiters {
		w <- streamReply{err: p.err}
	}
	p.waiters = nil
}

func (p *streamPath) close() error {
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	return p.stream.CloseSend()
}

// pipelined gives a gRPC path the pipelined form: send starts a batch
// (on the stream, sends it, so that batches keep their order) and a
// goroutine of its own waits for the answer, which recv takes as answers
// come. A goroutine per batch costs about a microsecond, little next to a
// gRPC call's 50-100 µs. On the unary path the calls overlap as they would
// from concurrent callers, and the worker runs them in any order.
type pipelined struct {
	start   func(b batch) (wait func() ([]outcome, error))
	replies chan pipelinedReply
}

func newPipelined(start func(b batch) func() ([]outcome, error)) pipelined {
	return pipelined{start: start, replies: make(chan pipelinedReply, pipelinedBacklog)}
}

type pipelinedReply struct {
	tag  uint64
	outs []outcome
	err  error
}

func (p *pipelined) send(b batch) error {
	b.tasks = slices.Clone(b.tasks) // the caller may reuse its slice once send returns
	wait := p.start(b)
	go func() {
		outs, err := wait()
		p.replies <- pipelinedReply{tag: b.first, outs: outs, err: err}
	}()
	return nil
}

// pipelinedBacklog is how many answers may wait for recv before the
// goroutines that bring them block.
const pipelinedBacklog = 256

func (p *pipelined) flush() error { return nil }

func (p *pipelined) ready() bool { return len(p.replies) > 0 }

func (p *pipelined) recv() (uint64, []outcome, error) {
	r := <-p.replies
	return r.tag, r.outs, r.err
}

func toDoRequest(b batch) *workerpb.DoRequest {
	var d int64
	if !b.deadline.IsZero() {
		d = b.deadline.UnixNano()
	}
	tasks := make([]*workerpb.Task, len(b.tasks))
	for i, t := range b.tasks {
		tasks[i] = &workerpb.Task{Seq: b.first + uint64(i), Name: t.Name, Input: t.Input, DeadlineUnixNano: d}
	}
	return &workerpb.DoRequest{Tasks: tasks}
}

func fromDoResponse(resp *workerpb.DoResponse, want int) ([]outcome, error) {
	pbs := resp.GetOutcomes()
	if len(pbs) != want {
		return nil, fmt.Errorf("%d outcomes for %d tasks", len(pbs), want)
	}
	outs := make([]outcome, len(pbs))
	for i, o := range pbs {
		outs[i] = fromPB(o)
	}
	return outs, nil
}
