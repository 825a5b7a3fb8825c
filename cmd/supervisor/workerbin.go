package main

import (
	"os"
	"os/exec"
	"path/filepath"
)

// workerBinary is the lean worker program's name, built beside the
// supervisor binary (make build, go install ./cmd/...).
const workerBinary = "supervisor-worker"

// workerCommand is how the command starts its worker processes: the lean
// worker binary beside this executable if there is one, which starts in
// about half the time (it initialises only what serving tasks needs, see
// cmd/supervisor-worker); otherwise nil, the library's default: this
// binary re-executed as "worker", which serves the same tasks.
func workerCommand() func() (*exec.Cmd, error) {
	path, ok := findWorkerBinary()
	if !ok {
		return nil
	}
	return func() (*exec.Cmd, error) { return exec.Command(path, "worker"), nil }
}

// findWorkerBinary looks for the worker binary beside this executable.
func findWorkerBinary() (string, bool) {
	if os.Getenv(envSelfWorkers) != "" {
		return "", false
	}
	exe, err := os.Executable()
	if err != nil {
		return "", false
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	path := filepath.Join(filepath.Dir(exe), workerBinary)
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return "", false
	}
	return path, true
}

// envSelfWorkers, set to anything, makes the command re-execute itself as
// its workers even with the worker binary beside it: to compare the two,
// or to rule the worker binary out.
const envSelfWorkers = "SUPERVISOR_SELF_WORKERS"
