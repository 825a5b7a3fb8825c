package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var workerPIDLine = regexp.MustCompile(`worker 1 pid (\d+)`)

// TestWorkerBinary: the command's workers are the lean worker binary beside
// it; with SUPERVISOR_SELF_WORKERS, or without the worker binary, they are
// the command re-executed. Either way the tasks run and answer.
func TestWorkerBinary(t *testing.T) {
	lone := filepath.Join(t.TempDir(), "supervisor")
	if err := os.Link(binary, lone); err != nil {
		data, err := os.ReadFile(binary)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(lone, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		bin  string
		env  []string
		want string // the workers' executable
	}{
		{"beside", binary, nil, filepath.Join(filepath.Dir(binary), workerBinary)},
		{"self by request", binary, []string{envSelfWorkers + "=1"}, binary},
		{"none beside", lone, nil, lone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := startBinary(t, c.bin, c.env, "--json", "--task=sleep", "--workers=1", "--spares=0", "--mode=process", "300ms")
			var pid int
			waitFor(t, 20*time.Second, "the worker's pid", func() bool {
				m := workerPIDLine.FindStringSubmatch(r.stderr.String())
				if m != nil {
					pid, _ = strconv.Atoi(m[1])
				}
				return m != nil
			})
			exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
			if err != nil {
				t.Fatal(err)
			}
			if exe != c.want {
				t.Errorf("the worker runs %s, want %s", exe, c.want)
			}
			if code := r.wait(30 * time.Second); code != 0 {
				t.Errorf("exit %d: %s", code, r.stderr.String())
			}
		})
	}
}

// TestWorkerBinaryByHand: run by hand, the worker binary says what it is
// in one line and exits with status 2.
func TestWorkerBinaryByHand(t *testing.T) {
	out, err := exec.Command(filepath.Join(filepath.Dir(binary), workerBinary)).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || strings.Count(string(out), "\n") != 1 {
		t.Errorf("exit %v, output %q; want status 2 and one line", err, out)
	}
}
