package process

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Closing the guard kills every group still registered with it.
func TestGuardKillsRegisteredGroupsOnEOF(t *testing.T) {
	g, err := StartGuard(testCommand)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	w := startTestConfig(t, Config{ID: 1, Guard: g})
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("the worker outlived its guard by 30s")
	}
	var exit *ExitError
	if !errors.As(w.Err(), &exit) || exit.Signal != syscall.SIGKILL || exit.Sent != 0 {
		t.Errorf("exit %v (sent %v); want SIGKILL from the guard", w.Err(), exit.Sent)
	}
	_, err = Start(context.Background(), Config{Command: testCommand, Guard: g})
	if !errors.Is(err, ErrGuardGone) {
		t.Errorf("start with a closed guard: %v, want ErrGuardGone", err)
	}
}

// A guard process killed while the supervisor lives is replaced at once,
// and the replacement knows every group: closing it still kills the
// worker registered before the kill.
func TestGuardKilledIsReplaced(t *testing.T) {
	g, err := StartGuard(testCommand)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	w := startTestConfig(t, Config{ID: 1, Guard: g})
	first := g.PID()
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for g.Restarts() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the guard was not replaced within 10s of its death")
		}
		time.Sleep(time.Millisecond) // polling: the replacement signals nothing
	}
	if g.PID() == first || g.PID() == 0 {
		t.Fatalf("guard pid %d after replacing %d", g.PID(), first)
	}
	if _, err := Start(context.Background(), Config{Command: testCommand, Guard: g}); err != nil {
		t.Fatalf("a start after the guard was replaced: %v", err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("the worker registered before the guard's death outlived its replacement's close")
	}
}

// Under a subreaper in the supervisor's session (as with tini, or a
// container's init), a SIGKILLed supervisor leaves nothing behind: not a
// SIGSTOPped worker, not a worker's child. Before the guard, both
// survived: a stopped worker cannot act on its parent-death signal
// (SIGHUP), and nothing resumed it.
func TestNoOrphansUnderASubreaper(t *testing.T) {
	cmd, _ := personaCommand("subreaper")()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pids []int
	t.Cleanup(func() {
		for _, p := range pids {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		for _, f := range strings.Fields(s) {
			p, err := strconv.Atoi(f)
			if err != nil {
				t.Fatalf("supervisor said %q", s)
			}
			pids = append(pids, p)
		}
	case <-time.After(time.Minute):
		t.Fatal("no word from the supervisor in a minute")
	}
	if len(pids) != 5 {
		t.Fatalf("want 5 PIDs (supervisor, guard, stopped worker, worker, its child), got %v", pids)
	}
	if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	names := []string{"supervisor", "guard", "stopped worker", "worker", "worker's child"}
	deadline := time.Now().Add(30 * time.Second)
	for i, p := range pids {
		for processExists(p) {
			if time.Now().After(deadline) {
				t.Fatalf("the %s (%d) outlived the supervisor by 30s", names[i], p)
			}
			time.Sleep(10 * time.Millisecond) // polling /proc; nothing to wait on
		}
	}
}

// processExists reports whether /proc has pid, a zombie included.
func processExists(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return err == nil
}

// subreaper is a persona: it becomes a child subreaper, runs the
// "supervisor" persona with its stdout, and reaps whatever is reparented to
// it, until it has no children left.
func subreaper() error {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return err
	}
	cmd, _ := personaCommand("supervisor")()
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	for {
		var ws unix.WaitStatus
		if _, err := unix.Wait4(-1, &ws, 0, nil); err == unix.ECHILD {
			return nil
		}
	}
}

// supervisorPersona is a persona: a supervisor with a guard and two
// workers, one running a task with a child process, the other SIGSTOPped.
// It prints its PID, the guard's, the workers' and the child's, and waits
// to be killed.
func supervisorPersona() error {
	ctx := context.Background()
	g, err := StartGuard(testCommand)
	if err != nil {
		return err
	}
	cfg := Config{Command: testCommand, Guard: g}
	stopped, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	parent, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	go func() { _, _ = parent.Do(ctx, task("spawn", "3600")) }()
	child, err := awaitChild(parent.PID())
	if err != nil {
		return err
	}
	if err := stopped.Signal(syscall.SIGSTOP); err != nil {
		return err
	}
	if err := awaitState(stopped.PID(), 'T'); err != nil {
		return err
	}
	fmt.Println(os.Getpid(), g.PID(), stopped.PID(), parent.PID(), child)
	select {}
}

// awaitChild polls /proc for a child of pid, for up to 30 seconds.
func awaitChild(pid int) (int, error) {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			p, err := strconv.Atoi(e.Name())
			if err == nil && statField(p, 4) == strconv.Itoa(pid) {
				return p, nil
			}
		}
	}
	return 0, fmt.Errorf("no child of %d in 30s", pid)
}

// awaitState polls /proc for pid to be in state, for up to 30 seconds.
func awaitState(pid int, state byte) error {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if s := statField(pid, 3); s == string(state) {
			return nil
		}
	}
	return fmt.Errorf("process %d not in state %c in 30s", pid, state)
}

// statField is field n (from 1) of /proc/<pid>/stat, "" if unreadable.
func statField(pid, n int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if i < 0 || n < 3 || len(f) < n-2 {
		return ""
	}
	return f[n-3]
}
