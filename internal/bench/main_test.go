package bench

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/procpool/supervisor/supervisor"
)

// The test binary doubles as a worker process: with envTestWorker set it
// serves tasks instead of running tests (the TestMain re-exec pattern of
// golang/go's os/exec tests).
const envTestWorker = "SUPERVISOR_BENCH_TEST_WORKER"

func TestMain(m *testing.M) {
	if os.Getenv(envTestWorker) != "" {
		if err := supervisor.ServeWorker(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func testWorkerCommand() (*exec.Cmd, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// Under -race a process sleeps a second at exit unless told otherwise.
	cmd.Env = append(os.Environ(), envTestWorker+"=1", "GORACE=atexit_sleep_ms=0")
	return cmd, nil
}
