// Command supervisor-worker is the worker process of the supervisor
// command: the supervisor starts it, from beside its own executable, for
// each worker of a process-mode pool (and for its guard). It links only
// what serving tasks needs (the built-in tasks, the worker side of the data
// paths, go-plugin and gRPC), so that a worker starts without initialising
// the command line's packages (the TUI, metrics, charts, the cluster's
// NATS client) that the supervisor binary carries: Go runs the init of
// every package a binary links, in every process that runs it.
//
// Without it beside the supervisor binary (after `go install` of the
// command alone, say), the supervisor re-executes itself as its workers.
// Run by hand it says what it is and exits with status 2.
package main

import (
	"fmt"
	"os"

	_ "github.com/procpool/supervisor/internal/demo" // the built-in tasks
	"github.com/procpool/supervisor/supervisor"
)

func main() {
	supervisor.ServeWorker() // a worker never gets past this line
	fmt.Fprintln(os.Stderr, "supervisor-worker: this is the supervisor's worker process; the supervisor starts it, it is not run by hand")
	os.Exit(2)
}
