package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// nprocHelperEnv makes the test binary a helper that lowers its
// RLIMIT_NPROC, becomes uid 65534 and executes the supervisor: "ulimit -u
// 60" for a user with nothing else running (root is exempt from the limit).
const nprocHelperEnv = "SUPERVISOR_TEST_NPROC"

const nobody = 65534

func nprocHelper() {
	n, _ := strconv.ParseUint(os.Getenv(nprocHelperEnv), 10, 64)
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "nproc helper:", err)
		os.Exit(125)
	}
	if err := syscall.Setrlimit(6 /* RLIMIT_NPROC */, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
		fail(err)
	}
	if err := syscall.Setgroups(nil); err != nil {
		fail(err)
	}
	if err := syscall.Setgid(nobody); err != nil {
		fail(err)
	}
	if err := syscall.Setuid(nobody); err != nil {
		fail(err)
	}
	args := os.Args[1:] // the supervisor binary, then its arguments
	fail(syscall.Exec(args[0], args, os.Environ()))
}

// TestThreadBudget: with ulimit -u 60, a pool that does not fit is refused
// before it starts, in one line, exit 3 (issue #9: the supervisor died with
// a Go runtime "newosproc" fatal dump); one that fits runs.
func TestThreadBudget(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root: runs the supervisor as uid 65534 with RLIMIT_NPROC=60")
	}
	dir, exe := binaryForNobody(t)
	run := func(args ...string) runResult {
		t.Helper()
		cmd := exec.Command(os.Args[0], append([]string{exe}, args...)...)
		cmd.Env = append(os.Environ(), nprocHelperEnv+"=60", "TMPDIR="+dir, "XDG_RUNTIME_DIR="+dir, "HOME="+dir)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		err := cmd.Run()
		r := runResult{stdout: out.String(), stderr: errb.String()}
		if exit, ok := err.(*exec.ExitError); ok {
			r.code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := run("--workers=16", "--task=echo", "x")
	if r.code != 3 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "ulimit -u") ||
		strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "runtime") {
		t.Errorf("16 workers under ulimit -u 60: exit %d, stderr:\n%s\nwant exit 3 and one line naming the limit", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "ready") {
		t.Error("workers were started before the budget was checked")
	}
	if r := run("--workers=1", "--task=echo", "x"); r.code != 0 {
		t.Errorf("1 worker under ulimit -u 60: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// binaryForNobody copies the supervisor where uid 65534 may run it, in a
// directory it owns.
func binaryForNobody(t *testing.T) (dir, exe string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "supervisor-nproc-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chown(dir, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	exe = filepath.Join(dir, "supervisor")
	src, err := os.Open(binary)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(exe, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, exe
}
