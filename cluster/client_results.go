package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// consume reads the run's results, and the advisories of tasks that ran
// out of deliveries, through ordered consumers: they resume where they were
// after the connection comes back, so no result written meanwhile is missed.
func (e *Executor) consume(ctx context.Context) error {
	res, err := e.js.OrderedConsumer(ctx, StreamResults, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subjectResults + e.run + ".>"},
	})
	if err != nil {
		return fmt.Errorf("results consumer: %w", err)
	}
	cc, err := res.Consume(e.onResult)
	if err != nil {
		return fmt.Errorf("results consumer: %w", err)
	}
	e.consumers = append(e.consumers, cc)
	since := time.Now()
	adv, err := e.js.OrderedConsumer(ctx, StreamAdvisories, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartTimePolicy, OptStartTime: &since,
	})
	if err != nil {
		return fmt.Errorf("advisories consumer: %w", err)
	}
	if cc, err = adv.Consume(e.onAdvisory); err != nil {
		return fmt.Errorf("advisories consumer: %w", err)
	}
	e.consumers = append(e.consumers, cc)
	return nil
}

// onResult gives a result message to its job: the first result stored for
// it, since the stream refuses any later one.
func (e *Executor) onResult(m jetstream.Msg) {
	_, id, err := parseSubject(m.Subject(), subjectResults)
	if err != nil {
		return
	}
	p := e.take(id)
	if p == nil {
		return
	}
	r, err := decodeResult(m.Data())
	var rs []Result
	if err != nil || len(r.Tasks) != len(p.job.inputs) {
		rs = e.localResults(p, supervisor.StatusFailed, fmt.Errorf("unreadable result for task %d: %v", id, err))
	} else {
		rs = e.results(p, r, time.Since(p.submitted))
	}
	e.report(rs)
	p.deliver(rs)
}

// results turns a job's result message into one Result per task. A task's
// round trip is its own Exec plus an equal share of the rest of the job's,
// as for a chunk on a local pool.
func (e *Executor) results(p *pending, r *jobResult, rtt time.Duration) []Result {
	var exec time.Duration
	for _, t := range r.Tasks {
		exec += time.Duration(t.ExecNs)
	}
	share := max(rtt-exec, 0) / time.Duration(len(r.Tasks))
	out := make([]Result, len(r.Tasks))
	for i, t := range r.Tasks {
		res := supervisor.Result{ID: p.job.id + uint64(i), Task: worker.Task{Name: p.job.name, Input: p.job.inputs[i]},
			Status: parseStatus(t.Status), Output: t.Output, Err: t.Error.decode(), Worker: t.Worker, PID: t.PID,
			Attempts: r.Attempts, Exec: time.Duration(t.ExecNs)}
		res.RoundTrip = res.Exec + share
		res.Agent = r.Agent
		out[i] = res
	}
	return out
}

func parseStatus(s string) supervisor.Status {
	for _, st := range supervisor.Statuses() {
		if st.String() == s {
			return st
		}
	}
	return supervisor.StatusFailed
}

// maxDeliveries is the part of the server's advisory that matters here.
type maxDeliveries struct {
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries int    `json:"deliveries"`
}

// onAdvisory answers a task of this run that ran out of deliveries without
// an answer: its last delivery's host died with it. The answer is written
// like any result, first writer wins, and the message, which the work
// queue keeps after its last delivery, is deleted.
func (e *Executor) onAdvisory(m jetstream.Msg) {
	var adv maxDeliveries
	if json.Unmarshal(m.Data(), &adv) != nil {
		return
	}
	e.mu.Lock()
	p := e.bySeq[adv.StreamSeq]
	e.mu.Unlock()
	if p == nil {
		return // another run's
	}
	e.log.Info("task ran out of deliveries without an answer", "job", p.job.id, "deliveries", adv.Deliveries)
	e.tasks.Go(func() {
		// Nobody else will answer it: keep trying, through an outage, until
		// the run stops.
		if err := writeResult(context.Background(), e.js, p.job, hostLost(p.job, adv.Deliveries), e.quit); err != nil {
			e.log.Warn("could not answer a task whose host was lost", "job", p.job.id, "err", err)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*e.h.topo.AckWait)
		defer cancel()
		_ = e.h.tasks.DeleteMsg(ctx, adv.StreamSeq)
	})
}
