package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// dedupWindow is how long a task's Nats-Msg-Id is remembered: a submit
// repeated within it (a retry after a lost acknowledgement) is stored once.
const dedupWindow = 2 * time.Minute

// streamConfigs are the three streams of a topology.
func (t Topology) streamConfigs() []jetstream.StreamConfig {
	return []jetstream.StreamConfig{{
		Name:        StreamTasks,
		Description: "supervisor: tasks waiting for an agent (work queue)",
		Subjects:    []string{subjectTasks + ">"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    t.Replicas,
		Duplicates:  dedupWindow,
		MaxMsgs:     t.MaxQueued,
		Discard:     jetstream.DiscardNew,
	}, {
		Name:        StreamResults,
		Description: "supervisor: one result per task; the first written wins",
		Subjects:    []string{subjectResults + ">"},
		Storage:     jetstream.FileStorage,
		Replicas:    t.Replicas,
		MaxAge:      t.Retain,
		// One message per task's subject, and a second one is refused rather
		// than replacing the first: the server decides which result counts.
		MaxMsgsPerSubject:    1,
		Discard:              jetstream.DiscardNew,
		DiscardNewPerSubject: true,
	}, {
		Name:        StreamAdvisories,
		Description: "supervisor: tasks that ran out of deliveries, kept for their clients",
		Subjects:    []string{advisoryMaxDeliveries},
		Storage:     jetstream.FileStorage,
		Replicas:    t.Replicas,
		MaxAge:      t.Retain,
	}}
}

func (t Topology) consumerConfig() jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       ConsumerAgents,
		Description:   "supervisor agents pull tasks here",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       t.AckWait,
		MaxDeliver:    t.MaxDeliver,
		MaxAckPending: t.MaxAckPending,
	}
}

// runsConfig is the stream of run leases: one message per run, replaced by
// each heart-beat of its client. Agents judge a lease by watching it change
// (see runs); the stream only forgets it after ten leases. A stream read
// from its leader rather than a key-value bucket, whose reads may be served
// by a replica that lags: a lease missed there would drop a live run.
func (t Topology) runsConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:              StreamRuns,
		Description:       "supervisor: one message per live run, heart-beaten by its client",
		Subjects:          []string{subjectRuns + "*"},
		Storage:           jetstream.FileStorage,
		Replicas:          t.Replicas,
		MaxAge:            10 * t.RunLease,
		MaxMsgsPerSubject: 1,
		Metadata:          map[string]string{metaRunLease: t.RunLease.String()},
	}
}

// metaRunLease is the stream metadata that tells clients the run lease.
const metaRunLease = "supervisor_run_lease"

// A handle is what agents and clients use of the topology.
type handle struct {
	tasks   jetstream.Stream
	results jetstream.Stream
	cons    jetstream.Consumer
	runs    jetstream.Stream
	topo    Topology // as found in the server, for a client that did not create it
}

// whenReady runs f until it succeeds or ctx ends: a cluster's JetStream
// answers only once its members have elected a leader.
func whenReady(ctx context.Context, f func(context.Context) (*handle, error)) (*handle, error) {
	retry := newBackoff(50*time.Millisecond, time.Second)
	for {
		try, cancel := context.WithTimeout(ctx, 5*time.Second)
		h, err := f(try)
		cancel()
		if err == nil {
			return h, nil
		}
		if !retry.wait(ctx, nil) {
			return nil, fmt.Errorf("jetstream not ready: %w", err)
		}
	}
}

// declare creates the topology or updates it to t: what an agent does.
func declare(ctx context.Context, js jetstream.JetStream, t Topology) (*handle, error) {
	var h handle
	var err error
	for i, sc := range t.streamConfigs() {
		s, err := js.CreateOrUpdateStream(ctx, sc)
		if err != nil {
			return nil, fmt.Errorf("stream %s: %w", sc.Name, err)
		}
		switch i {
		case 0:
			h.tasks = s
		case 1:
			h.results = s
		}
	}
	if h.cons, err = h.tasks.CreateOrUpdateConsumer(ctx, t.consumerConfig()); err != nil {
		return nil, fmt.Errorf("consumer %s: %w", ConsumerAgents, err)
	}
	if h.runs, err = js.CreateOrUpdateStream(ctx, t.runsConfig()); err != nil {
		return nil, fmt.Errorf("stream %s: %w", StreamRuns, err)
	}
	h.topo = t
	return &h, nil
}

// errNoTopology says that no agent has created the cluster's streams yet.
var errNoTopology = errors.New("no agent has set up the cluster's streams yet")

// lookup finds the topology the agents created: what a client does.
func lookup(ctx context.Context, js jetstream.JetStream) (*handle, error) {
	tasks, err := js.Stream(ctx, StreamTasks)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, errNoTopology
	}
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", StreamTasks, err)
	}
	h := handle{tasks: tasks}
	if h.results, err = js.Stream(ctx, StreamResults); err != nil {
		return nil, fmt.Errorf("stream %s: %w", StreamResults, err)
	}
	if h.cons, err = tasks.Consumer(ctx, ConsumerAgents); err != nil {
		return nil, fmt.Errorf("consumer %s: %w", ConsumerAgents, err)
	}
	if h.runs, err = js.Stream(ctx, StreamRuns); err != nil {
		return nil, fmt.Errorf("stream %s: %w", StreamRuns, err)
	}
	cc := h.cons.CachedInfo().Config
	lease, err := time.ParseDuration(h.runs.CachedInfo().Config.Metadata[metaRunLease])
	if err != nil {
		return nil, fmt.Errorf("stream %s: no run lease in its metadata: %w", StreamRuns, err)
	}
	h.topo = Topology{AckWait: cc.AckWait, MaxDeliver: cc.MaxDeliver, RunLease: lease}
	return &h, nil
}
