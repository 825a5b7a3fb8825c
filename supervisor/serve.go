package supervisor

import (
	"fmt"
	"os"
)

// ServeWorker makes this process a worker if a supervisor started it as
// one, and otherwise returns at once, having done nothing. A program that
// uses process mode calls it first thing in main, and in TestMain if its
// tests start worker processes:
//
//	func main() {
//		supervisor.ServeWorker() // a worker process never gets past this line
//		...
//	}
//
//	func TestMain(m *testing.M) {
//		supervisor.ServeWorker()
//		os.Exit(m.Run())
//	}
//
// Worker processes are this program re-executed (Config.WorkerCommand), so
// the tasks they serve are those its packages register at init
// (worker.Register, Define). In a worker, ServeWorker serves them to the
// supervisor that started it and ends the process when that supervisor is
// done with it: it never returns. Forgetting it makes every worker run
// main, whose New then fails with ErrInWorker instead of starting workers
// of its own.
func ServeWorker() {
	if !inWorker() {
		return
	}
	if err := serveProcess(); err != nil {
		fmt.Fprintf(os.Stderr, "worker: %v\n", err)
		os.Exit(1)
	}
	os.Exit(0)
}
