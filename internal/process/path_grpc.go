package process

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/procpool/supervisor/internal/workerpb"
)

// unaryPath makes one gRPC call per batch. Calls run under the worker's
// lifetime context, not the task's: cancellation travels separately, over
// Cancel, so that the host learns when the task really stopped.
type unaryPath struct {
	ctx    context.Context
	client workerpb.WorkerClient
}

func (p *unaryPath) do(reqs []request) ([]outcome, error) {
	resp, err := p.client.Do(p.ctx, toDoRequest(reqs))
	if err != nil {
		return nil, err
	}
	return fromDoResponse(resp, len(reqs))
}

func (p *unaryPath) close() error { return nil }

// streamPath sends batches on one long-lived stream. The worker answers in
// order, so waiters queue in order too; one goroutine reads the answers.
type streamPath struct {
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
	go p.receive()
	return p, nil
}

func (p *streamPath) do(reqs []request) ([]outcome, error) {
	reply := make(chan streamReply, 1)
	p.sendMu.Lock()
	p.mu.Lock()
	if p.err != nil {
		p.mu.Unlock()
		p.sendMu.Unlock()
		return nil, p.err
	}
	p.waiters = append(p.waiters, reply)
	p.mu.Unlock()
	// A failed Send needs no handling here: gRPC reports the cause to Recv,
	// and the receiver then answers every waiter, this one included.
	_ = p.stream.Send(toDoRequest(reqs))
	p.sendMu.Unlock()
	r := <-reply
	if r.err != nil {
		return nil, r.err
	}
	if len(r.outs) != len(reqs) {
		return nil, fmt.Errorf("stream: %d outcomes for %d tasks", len(r.outs), len(reqs))
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

func toDoRequest(reqs []request) *workerpb.DoRequest {
	tasks := make([]*workerpb.Task, len(reqs))
	for i, r := range reqs {
		tasks[i] = requestToPB(r)
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
