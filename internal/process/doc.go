// Package process runs workers as separate OS processes: the supervisor's
// own binary re-executed as "supervisor worker", started and spoken to with
// hashicorp/go-plugin over gRPC. It is the only hand-written package that
// imports go-plugin or gRPC.
//
// The host side ([Start], [*Worker]) spawns a worker in its own process
// group with a parent-death signal, performs go-plugin's handshake, forwards
// the worker's stderr to log/slog tagged with the worker's id and PID, runs
// tasks over one of the data paths ([IPC]) and walks the kill ladder when a
// task ignores cancellation: cancel over gRPC, SIGTERM to the group, SIGKILL
// to the group. The worker side ([Serve]) serves the tasks of package worker.
//
// gRPC is the control plane (handshake, info, cancel, shutdown). Tasks travel
// over gRPC unary calls, one gRPC stream per worker, or a frame protocol on a
// socketpair handed to the worker as file descriptor 3; docs/architecture.md
// says what each costs.
package process
