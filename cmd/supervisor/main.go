// Command supervisor runs tasks on a pool of worker processes or goroutines
// and shows what each mode costs. See README.md and docs/.
package main

import (
	"os"

	_ "github.com/procpool/supervisor/internal/demo" // the built-in tasks, in the workers too
	"github.com/procpool/supervisor/supervisor"
)

func main() {
	// A worker process is this binary started again by the supervisor: it
	// serves tasks here and never gets past this line, before the command
	// tree is built, so that a worker starts fast.
	supervisor.ServeWorker()
	os.Exit(int(run(os.Args[1:], os.Stdout, os.Stderr)))
}
