// Package supervisor runs tasks on a pool of workers at one of two isolation
// levels, behind one API, and restarts workers when they fail.
//
// In [ModeProcess] every worker is a separate OS process: the program's own
// binary re-executed as "worker" (see [ServeWorker]), started with
// hashicorp/go-plugin and spoken to over gRPC and a socketpair. A worker can
// crash, leak or hang and be killed mid-task; the other workers and the
// supervisor carry on. In [ModeThread] every worker is a goroutine in this
// process: cheap, sharing memory, with no IPC, and impossible to kill.
// The same task functions (package worker) run in both modes.
//
// The supervisor guarantees exactly one [Result] per submitted task: ok, or
// an error that says why (the task's own error, a panic with its stack, the
// death of its worker with the exit code or signal, a timeout, a
// cancellation, a quarantine). A task whose worker died is re-run on a fresh
// worker if [Config.Retries] allows; a task that has killed
// [Config.PoisonAfter] workers is quarantined instead. Dead workers are
// replaced with geometric backoff, and more than [Config.MaxRestarts]
// unplanned restarts within [Config.RestartWindow] stop the pool with
// [ErrGaveUp], as Erlang/OTP supervisors do.
//
// Usage, like Python's concurrent.futures:
//
//	s, err := supervisor.New(supervisor.Config{Mode: supervisor.ModeProcess})
//	if err != nil { ... }
//	defer s.Stop(context.Background())
//	var fs []*supervisor.Future
//	for _, n := range worker.SeedPrimes {
//		fs = append(fs, s.Submit(ctx, worker.Task{Name: "primes", Input: []byte(n)}))
//	}
//	for f := range supervisor.AsCompleted(fs...) {
//		r := f.Result()
//		fmt.Println(string(r.Output), r.Err)
//	}
//
// A program that uses process mode must call [ServeWorker] at the start of
// main when its arguments say it is a worker; the supervisor command does
// this for "supervisor worker".
package supervisor
