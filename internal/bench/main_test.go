package bench

import (
	"os"
	"os/exec"
	"testing"

	_ "github.com/procpool/supervisor/internal/demo" // the built-in tasks, in the workers too
	"github.com/procpool/supervisor/supervisor"
)

// The test binary doubles as a worker process: started as one, it serves
// tasks instead of running tests (ServeWorker's recipe). envTestWorker
// marks its worker processes, for tests that look for them in /proc.
const envTestWorker = "SUPERVISOR_BENCH_TEST_WORKER"

func TestMain(m *testing.M) {
	supervisor.ServeWorker()
	os.Exit(m.Run())
}

func testWorkerCommand() (*exec.Cmd, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// Under -race a process sleeps a second at exit unless told otherwise.
	cmd.Env = append(os.Environ(), envTestWorker+"=1", "GORACE=atexit_sleep_ms=0")
	return cmd, nil
}
