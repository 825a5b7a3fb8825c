// Package worker is the domain of the supervisor: what a task is, what a
// result is, the registry of named task functions and the built-in tasks.
//
// The same task functions run in both of the supervisor's modes. In process
// mode they run inside a worker process (the supervisor's own binary
// re-executed as "supervisor worker"); in thread mode they run on a goroutine
// inside the supervisor. Because the code is the same, the two modes can be
// compared honestly: any difference in the figures is the cost of the mode.
//
// This package imports the standard library only. Transports, process
// management and scheduling live elsewhere; a task here knows nothing about
// where it runs.
//
// A task is looked up by name and run with [Run], which times it and turns a
// panic in the task's own goroutine into a [*PanicError]:
//
//	res, err := worker.Run(ctx, worker.Task{Name: "primes", Input: []byte("112272535095293")})
//	// res.Output == "112272535095293 is prime: true"
package worker
