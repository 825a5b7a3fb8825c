package supervisor

import "github.com/procpool/supervisor/internal/process"

// ServeWorker is a worker process's main: a program using process mode
// calls it when started as a worker (by default, with the argument
// "worker"), and exits when it returns. It serves the tasks registered in
// package worker to the supervisor that started the process.
func ServeWorker() error { return process.Serve() }
