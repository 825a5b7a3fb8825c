// Package worker is the domain of the supervisor: what a task is, what a
// result is, the registry of named task functions, and the errors that
// keep their identity across the process boundary. It imports the standard
// library only.
//
// The same task functions run in both of the supervisor's modes: in
// process mode inside a worker process (the program's own binary,
// re-executed), in thread mode on a goroutine of the supervisor's process.
// A worker process finds a task by name in its own registry, so tasks are
// registered at package level, in every process, before anything is
// submitted:
//
//	func init() {
//		worker.Register("resize", resize) // func(ctx, []byte) ([]byte, error)
//	}
//
// Package supervisor's Define does this for typed tasks, with a codec for
// their inputs and outputs.
package worker
