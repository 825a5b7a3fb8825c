// Package cluster runs tasks on agents on many hosts behind NATS JetStream,
// with the semantics of the local pool: exactly one result per task, retries
// only when a worker died, quarantine of a task that killed workers, per-task
// cancellation and timeouts, backpressure, and no orphans.
//
// Each host runs an [Agent]: a local pool (package supervisor) plus a
// JetStream pull consumer. A client, the [Executor], publishes tasks and
// reads their results. JetStream owns delivery, leases, redelivery, dedup
// and backpressure; placement of agents belongs to systemd, Kubernetes or
// Nomad (see deploy/ and docs/cluster.md). This package is the only one in
// the module that imports NATS, and the local path never touches it.
//
// What each semantic maps to:
//
//   - A task is one message on the work-queue stream SUPERVISOR_TASKS, on
//     subject supervisor.task.RUN.JOB, published with a Nats-Msg-Id so a
//     repeated submit is stored once. The stream is bounded and refuses new
//     messages when full: Submit waits for room (backpressure).
//   - A result is one message on SUPERVISOR_RESULTS, subject
//     supervisor.result.RUN.JOB, which keeps one message per subject and
//     refuses any later one: the first result written wins, whoever writes it.
//   - An agent fetches only as many tasks as it has idle workers, runs each on
//     its local pool with local retries off, and heart-beats it with
//     InProgress every third of the ack wait (the lease). A worker death
//     is answered with a delayed Nak, so any agent may run the task again; a
//     task's own error, panic, timeout or memory kill is written as its final
//     result at once. A task that has been delivered PoisonAfter times with
//     its worker dying is quarantined.
//   - A host that dies stops heart-beating; its tasks come back after the ack
//     wait. If that was a task's last allowed delivery, the next agent to see
//     it, or the client on the max-deliveries advisory kept in
//     SUPERVISOR_ADVISORIES, writes its final result ("host lost").
//   - An agent that cannot reach JetStream for half the lease kills its
//     running workers (fencing): their tasks are redelivered elsewhere.
//   - Cancelling a running task is one core-NATS message to the agent holding
//     it, which walks its kill ladder and writes the result; a queued task is
//     deleted and answered "canceled".
//   - A client keeps a lease on its run, a message on SUPERVISOR_RUNS that it
//     renews; agents drop the tasks of a run whose lease expired.
//   - The cluster's settings (a Topology) are the agents': they create the
//     streams; a client waits for them.
//
// Usage:
//
//	e, err := cluster.Dial(ctx, "nats://h1:4222", cluster.Config{})
//	if err != nil { ... }
//	defer e.Stop(context.Background())
//	f := e.Submit(ctx, worker.Task{Name: "primes", Input: []byte("112272535095293")})
//	r := f.Result()
//	fmt.Println(string(r.Output), r.Err, r.Agent)
package cluster
