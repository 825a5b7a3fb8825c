package cluster

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// finish writes j's result and acknowledges its message. A result refused
// because the task has one already (another agent's, or its client's
// cancel) is fine: the first one counts. While the results stream cannot
// take it (a leader election), the agent keeps trying, and heart-beating
// the message so that the outage does not burn the task's deliveries, for
// up to maxWriting leases, or until it is fenced off; then it leaves the
// message alone, and it comes back after the lease.
func (a *Agent) finish(m jetstream.Msg, j *job, r *jobResult) {
	stop := a.heartbeat(m)
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), maxWriting*a.cfg.Topology.AckWait)
	defer cancel()
	if err := writeResult(ctx, a.js, j, r, a.link.lostOrDone(ctx, a.pool.Done())); err != nil {
		a.log.Warn("result not written; the task will come back", "run", j.run, "job", j.id, "err", err)
		a.settled(j, "unanswered")
		return
	}
	// Acknowledged and confirmed: a lost acknowledgement would bring the
	// task back (to be answered from its stored result, not run again).
	ack, cancelAck := context.WithTimeout(context.Background(), a.cfg.Topology.AckWait)
	defer cancelAck()
	_ = m.DoubleAck(ack)
	a.settled(j, "answered")
}

// maxWriting bounds, in leases, how long an agent tries to write a result.
const maxWriting = 5

// writeResult publishes r as j's result, retrying while JetStream is away,
// until ctx ends or stop closes (each attempt is bounded by the JetStream
// context's own timeout when ctx has no deadline). A refusal because j has a result already is
// success: the first result written is j's.
func writeResult(ctx context.Context, js jetstream.JetStream, j *job, r *jobResult, stop <-chan struct{}) error {
	msg := nats.NewMsg(resultSubject(j.run, j.id))
	msg.Data = r.encode()
	retry := newBackoff(20*time.Millisecond, 500*time.Millisecond)
	for {
		_, err := js.PublishMsg(ctx, msg, jetstream.WithExpectStream(StreamResults))
		if err == nil || isAnswered(err) {
			return nil
		}
		if !retry.wait(ctx, stop) {
			return err
		}
	}
}

// isAnswered says whether a publish to the results stream was refused
// because the subject has its one message already: the stream's only limit
// per subject, so a store failure there means exactly that.
func isAnswered(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jsStoreFailed
}

// jsStoreFailed is the server's code for a message a stream's limits
// refused (JSStreamStoreFailedF).
const jsStoreFailed jetstream.ErrorCode = 10077

// answered says whether j has a result already: a redelivered message whose
// acknowledgement was lost after its result was written.
func (a *Agent) answered(j *job) bool {
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.Topology.AckWait/2)
	defer cancel()
	_, err := a.h.results.GetLastMsgForSubject(ctx, resultSubject(j.run, j.id))
	return err == nil
}

// heartbeat tells JetStream every third of the lease that m is still being
// worked on, so a long task is not redelivered while it runs. The returned
// function stops it.
func (a *Agent) heartbeat(m jetstream.Msg) (stop func()) {
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		t := time.NewTicker(a.cfg.Topology.AckWait / 3)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				_ = m.InProgress()
			case <-done:
				return
			}
		}
	}()
	return func() { close(done); <-ended }
}
