package cluster

import (
	"fmt"
	"time"
)

// Names of what the cluster keeps in JetStream. Every agent and client of one
// NATS account shares them.
const (
	StreamTasks      = "SUPERVISOR_TASKS"
	StreamResults    = "SUPERVISOR_RESULTS"
	StreamAdvisories = "SUPERVISOR_ADVISORIES"
	StreamRuns       = "SUPERVISOR_RUNS"
	ConsumerAgents   = "agents"

	subjectTasks   = "supervisor.task."   // + RUN.JOB
	subjectResults = "supervisor.result." // + RUN.JOB
	subjectControl = "supervisor.ctl."    // + RUN.JOB: core NATS, to the agent holding the job
	subjectHello   = "supervisor.agent.hello"
	subjectRuns    = "supervisor.run." // + RUN: the run's lease, heart-beaten by its client

	// advisoryMaxDeliveries is where the server says a task ran out of
	// deliveries; the advisories stream keeps it for a client that was away.
	advisoryMaxDeliveries = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + StreamTasks + "." + ConsumerAgents
)

// A Topology is what the streams and the consumer are created with: the
// cluster-wide settings. Agents create or update them on start; a client
// only looks them up. The zero value means the defaults.
type Topology struct {
	// Replicas is how many servers keep each stream. Default 1; use 3 on a
	// cluster of three servers or more.
	Replicas int
	// AckWait is the lease of one delivery: an agent that neither finishes a
	// task nor heart-beats it for this long loses it to another agent. It
	// heart-beats every AckWait/3 and fences itself after AckWait/2 without
	// JetStream. Default 5s.
	AckWait time.Duration
	// MaxDeliver bounds the deliveries of one task; negative means no
	// bound, the default. A task's own limit, min(Retries+1, PoisonAfter),
	// must stay below it: the delivery after a task's last allowed one goes
	// to an agent that answers it ("host lost") without running it. At the
	// bound, JetStream delivers no more, and only its max-deliveries
	// advisory, which is lost if it cannot be stored at that moment, lets
	// the client answer the task: leave it unbounded unless something else
	// watches the advisories.
	MaxDeliver int
	// MaxQueued bounds the tasks stored and not yet done: a submit beyond
	// waits (backpressure). Default 10000.
	MaxQueued int64
	// MaxAckPending bounds the tasks delivered and not yet done, over all
	// agents. Default 1000.
	MaxAckPending int
	// RunLease is how long a run outlives its client's last heart-beat, while
	// JetStream takes writes: then agents drop its tasks. Default 15s.
	RunLease time.Duration
	// Retain is how long results and advisories are kept. Default 1h.
	Retain time.Duration
}

// Defaults for the zero values of Topology.
const (
	DefaultAckWait       = 5 * time.Second
	DefaultMaxDeliver    = -1
	DefaultMaxQueued     = 10000
	DefaultMaxAckPending = 1000
	DefaultRunLease      = 15 * time.Second
	DefaultRetain        = time.Hour
)

func (t Topology) withDefaults() Topology {
	t.Replicas = max(t.Replicas, 1)
	t.AckWait = positive(t.AckWait, DefaultAckWait)
	if t.MaxDeliver == 0 {
		t.MaxDeliver = DefaultMaxDeliver
	}
	t.MaxQueued = positive(t.MaxQueued, DefaultMaxQueued)
	t.MaxAckPending = positive(t.MaxAckPending, DefaultMaxAckPending)
	t.RunLease = positive(t.RunLease, DefaultRunLease)
	t.Retain = positive(t.Retain, DefaultRetain)
	return t
}

func (t Topology) validate() error {
	if t.Replicas > 5 {
		return fmt.Errorf("%w: %d replicas, want 1 to 5", ErrConfig, t.Replicas)
	}
	if t.AckWait < 30*time.Millisecond {
		return fmt.Errorf("%w: ack wait %s is too short to heart-beat within", ErrConfig, t.AckWait)
	}
	return nil
}

func positive[T int | int32 | int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

func taskSubject(run string, job uint64) string {
	return fmt.Sprintf("%s%s.%d", subjectTasks, run, job)
}
func resultSubject(run string, job uint64) string {
	return fmt.Sprintf("%s%s.%d", subjectResults, run, job)
}
func controlSubject(run string, job uint64) string {
	return fmt.Sprintf("%s%s.%d", subjectControl, run, job)
}
