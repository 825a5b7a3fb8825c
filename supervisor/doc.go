// Package supervisor runs tasks on a pool of workers at one of two isolation
// levels, behind one API, and keeps the pool alive.
//
// In [ModeProcess] (the default) every worker is a separate OS process: the
// program's own binary re-executed (see [ServeWorker]), started with
// hashicorp/go-plugin and spoken to over gRPC and a socketpair. A worker can
// crash, leak or hang and be killed mid-task; the other workers and the
// program carry on. In [ModeThread] every worker is a goroutine in this
// process: cheap, sharing memory, with no IPC, and impossible to kill. The
// same task functions run in both modes.
//
// Tasks are Go functions registered at package level, typed with [Define]
// (or untyped with worker.Register), so that the program and its worker
// processes both know them. Futures are those of Python's
// concurrent.futures, in Go's idiom:
//
//	var Resize = supervisor.Define("resize", func(ctx context.Context, img Image) (Thumb, error) { ... })
//
//	func main() {
//		supervisor.ServeWorker() // a worker process never gets past this line
//		pool, err := supervisor.New(ctx, supervisor.Config{Workers: 4})
//		if err != nil { ... }
//		defer pool.Stop(context.Background())
//
//		f := Resize.Submit(ctx, pool, img) // *Future[Thumb]: Wait, Cancel, Done, Result, OnDone
//		thumb, err := f.Wait(ctx)
//		for thumb, err := range Resize.Map(ctx, pool, images, 50) { ... }
//	}
//
// The pool promises exactly one [Result] per task: ok, or an error that
// says why: the task's own (its registered sentinels and error types keep
// their identity across the process boundary, see worker.RegisterError),
// a panic with its stack, the death of its worker (a [*WorkerError] with
// the exit code or signal and the last lines it wrote), a timeout, a
// cancellation, a quarantine. A task whose worker died under it runs again
// on a fresh worker if [Config.Retries] allows; only the task that was
// executing is charged with the death, and one that has crashed
// [Config.PoisonAfter] workers is quarantined. Dead workers are replaced
// with geometric backoff, and more than [Config.MaxRestarts] unplanned
// restarts within [Config.RestartWindow] stop the pool with [ErrGaveUp], as
// Erlang/OTP supervisors do. [Supervisor.Stop] returns within its context,
// with every task's result delivered and no worker process left.
//
// docs/library.md walks through all of it, beside concurrent.futures;
// examples/calc is a program that embeds it.
package supervisor
