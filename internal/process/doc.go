// Package process runs workers as separate OS processes: the supervisor's
// own binary re-executed as "supervisor worker", started and spoken to with
// hashicorp/go-plugin over gRPC. It is the only hand-written package that
// imports go-plugin or gRPC.
//
// The host side ([Start], [*Worker]) spawns a worker in its own process
// group with a parent-death signal, performs go-plugin's handshake, forwards
// the worker's output to log/slog tagged with the worker's id and PID (its
// own log, and what its tasks write to stdout and stderr), runs tasks over
// one of the data paths ([IPC]) and walks the kill ladder when a task
// ignores cancellation: cancel over gRPC, SIGTERM to the group, SIGKILL to
// the group. The worker side ([Serve]) serves the tasks of package worker.
//
// gRPC is the control plane (handshake, info, cancel, shutdown). Tasks travel
// over gRPC unary calls, one gRPC stream per worker, or a frame protocol on a
// socketpair handed to the worker as file descriptor 3; docs/architecture.md
// says what each costs.
//
// Tasks travel in batches on every path: [Worker.Do] sends one task,
// [Worker.DoBatch] many in one message, run in the worker one after another
// under one context; [Worker.Send], [Worker.Flush] and [Worker.Recv] keep
// several batches in flight on one goroutine (pipelining). Whatever the
// form, a context that ends walks the kill ladder for what runs under it,
// and every batch gets exactly one answer, even when the worker dies.
// docs/perf-notes.md has the measurements behind the choices.
//
// # Faults
//
//   - Start-up is a fault domain: a worker that dies, hangs or stops before
//     its first reply fails [Start] promptly (Config.StartTimeout kills its
//     group), leaving nothing behind.
//   - A lost task's error is a [*LostError]: it carries the worker's
//     [*ExitError], says whether the kill ladder's signal is what ended the
//     worker ([ExitError.Sent]), and how far the batch got: the worker keeps
//     a progress record in memory shared with the host (file descriptor 4,
//     Linux), so the host knows which task was executing when it died.
//   - A [Guard] process kills every worker's group if the supervisor dies,
//     even workers that are stopped; without one, workers get SIGHUP and
//     kill their own groups.
//   - A worker starts with only the descriptors it needs, and each worker's
//     go-plugin socket directory (in Config.SocketDir, see package rundir)
//     is removed once the worker has been reaped.
package process
