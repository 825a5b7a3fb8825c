package control

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/procpool/supervisor/supervisor"
)

// fakeTarget is a supervisor as the control socket sees it.
type fakeTarget struct {
	killed []int
	sig    syscall.Signal
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
	srv.Serve(target)
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
	srv.Serve(&fakeTarget{})
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
