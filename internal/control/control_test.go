package control

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/procpool/supervisor/internal/feed"
	"github.com/procpool/supervisor/supervisor"
)

// fakeTarget is a supervisor as the control socket sees it.
type fakeTarget struct {
	killed []int
	sig    syscall.Signal
	calls  []string
}

func (f *fakeTarget) CancelTask(id int) error {
	f.calls = append(f.calls, fmt.Sprintf("cancel %d", id))
	return nil
}
func (f *fakeTarget) AddWorker(pool string) (int, error) {
	f.calls = append(f.calls, "add "+pool)
	if pool == "nope" {
		return 0, errors.New(`no pool named "nope"`)
	}
	return 3, nil
}
func (f *fakeTarget) RemoveWorker(id int) error {
	f.calls = append(f.calls, fmt.Sprintf("remove %d", id))
	if id != 1 {
		return fmt.Errorf("%w: %d", supervisor.ErrNoWorker, id)
	}
	return nil
}
func (f *fakeTarget) SetPaused(p bool) error {
	f.calls = append(f.calls, fmt.Sprintf("pause %v", p))
	return nil
}

func (f *fakeTarget) Config() supervisor.Config {
	return supervisor.Config{Mode: supervisor.ModeProcess}
}
func (f *fakeTarget) Stats() supervisor.Stats {
	return supervisor.Stats{Queued: 3, Ended: map[supervisor.Status]int64{supervisor.StatusOK: 5},
		Workers: []supervisor.WorkerInfo{{ID: 1, Pool: "default", PID: 4242, State: supervisor.StateBusy, Task: "sleep", TaskID: 7, CPUs: "1"}}}
}
func (f *fakeTarget) Signal(id int, sig syscall.Signal) error {
	if id != 1 {
		return supervisor.ErrNoWorker
	}
	f.killed, f.sig = append(f.killed, id), sig
	return nil
}

func TestPsAndKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.sock")
	target := &fakeTarget{}
	srv, err := Bind(path)
	if err != nil {
		t.Fatal(err)
	}
	srv.Serve(target, nil)
	defer srv.Close()
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v, %v; want 0600", fi.Mode(), err)
	}
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ps, err := c.Ps(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ps.GetMode() != "process" || ps.GetQueued() != 3 || ps.GetFinished() != 5 || len(ps.GetWorkers()) != 1 ||
		ps.GetWorkers()[0].GetPid() != 4242 || ps.GetWorkers()[0].GetCpus() != "1" {
		t.Errorf("ps: %v", ps)
	}
	pid, err := c.Kill(ctx, 1, "TERM")
	if err != nil || pid != 4242 || target.sig != syscall.SIGTERM {
		t.Errorf("kill: pid %d, %v, signal %v", pid, err, target.sig)
	}
	if _, err := c.Kill(ctx, 9, "KILL"); !errors.Is(err, ErrNoWorker) || !strings.HasPrefix(err.Error(), "no such worker") {
		t.Errorf("kill of a missing worker: %v", err)
	}
	if _, err := c.Kill(ctx, 1, "HUP"); err == nil {
		t.Error("a signal other than TERM or KILL was accepted")
	}
}

func TestListenRefusesALiveSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.sock")
	srv, err := Bind(path)
	if err != nil {
		t.Fatal(err)
	}
	srv.Serve(&fakeTarget{}, nil)
	defer srv.Close()
	if _, err := Bind(path); !errors.Is(err, ErrInUse) {
		t.Error("a second supervisor took over a live control socket")
	}
}

func TestParseSignal(t *testing.T) {
	for in, want := range map[string]syscall.Signal{"KILL": syscall.SIGKILL, "SIGTERM": syscall.SIGTERM, "term": syscall.SIGTERM, "": syscall.SIGKILL} {
		if got, err := ParseSignal(in); err != nil || got != want {
			t.Errorf("ParseSignal(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseSignal("USR1"); err == nil {
		t.Error("USR1 accepted")
	}
}

// TestSteering: "supervisor top" reaches every control of the live view
// through the socket, and its snapshot carries the feed's counts and only
// the event lines the caller does not have.
func TestSteering(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.sock")
	target := &fakeTarget{}
	srv, err := Bind(path)
	if err != nil {
		t.Fatal(err)
	}
	f := feed.New()
	f.Event(supervisor.WorkerStarted{Worker: 1, PID: 4242})
	f.Event(supervisor.TaskFinished{Result: supervisor.Result{Status: supervisor.StatusOK, Exec: time.Millisecond, RoundTrip: 2 * time.Millisecond}})
	f.Event(supervisor.GoroutineAbandoned{Worker: 1})
	srv.Serve(target, f)
	defer srv.Close()
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	snap, err := c.Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if snap.GetMode() != "process" || snap.GetDone() != 5 || snap.GetOverheadP50Ns() == 0 || snap.GetAbandoned()[1] != 1 ||
		len(snap.GetEvents()) != 2 || snap.GetStartedUnixNs() != f.Began().UnixNano() || WorkerInfo(snap.GetWorkers()[0]).State != supervisor.StateBusy {
		t.Errorf("snapshot: %v", snap)
	}
	if again, err := c.Snapshot(ctx, snap.GetEvents()[1].GetSeq()); err != nil || len(again.GetEvents()) != 0 {
		t.Errorf("snapshot after the last line: %d lines, %v; want none", len(again.GetEvents()), err)
	}

	if err := c.Pause(ctx, true); err != nil {
		t.Error(err)
	}
	if err := c.Cancel(ctx, 1); err != nil {
		t.Error(err)
	}
	if id, err := c.AddWorker(ctx, ""); err != nil || id != 3 {
		t.Errorf("add worker: %d, %v", id, err)
	}
	if _, err := c.AddWorker(ctx, "nope"); err == nil || err.Error() != `no pool named "nope"` {
		t.Errorf("add worker to a missing pool: %v, want the supervisor's words", err)
	}
	if err := c.RemoveWorker(ctx, 1); err != nil {
		t.Error(err)
	}
	if err := c.RemoveWorker(ctx, 7); !errors.Is(err, ErrNoWorker) {
		t.Errorf("remove a missing worker: %v, want ErrNoWorker", err)
	}
	want := []string{"pause true", "cancel 1", "add ", "add nope", "remove 1", "remove 7"}
	if !slices.Equal(target.calls, want) {
		t.Errorf("calls %q, want %q", target.calls, want)
	}
}
