//go:build unix

package supervisor

import (
	"context"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"
)

// Issue 12: "a quick stop". A warm spare starts on the first Submit; Stop
// used to wait for a spare still starting to finish its start (its
// StartTimeout, if its start hung) before it could stop it, so a run of a
// few tiny tasks ended by waiting out a start it did not need.

// TestStopDoesNotWaitForASpareStarting gives the spare a command that never
// completes go-plugin's handshake, with a StartTimeout far beyond the test's
// patience: Stop must end the spare's start and return.
func TestStopDoesNotWaitForASpareStarting(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep(1) to stand in for a worker that never answers")
	}
	var calls atomic.Int32
	spareStarting := make(chan struct{})
	command := func() (*exec.Cmd, error) {
		// The guard, then worker 1, then the spare: the spare hangs.
		switch calls.Add(1) {
		case 1, 2:
			return testWorkerCommand()
		case 3:
			close(spareStarting)
		}
		return exec.Command(sleep, "600"), nil
	}
	s, err := New(context.Background(), Config{Mode: ModeProcess, Workers: 1, Spares: 1,
		WorkerCommand: command, StartTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Submit(context.Background(), echo).Result(); r.Err != nil {
		t.Fatal(r.Err)
	}
	select { // the spare's start begins on the first Submit
	case <-spareStarting:
	case <-time.After(30 * time.Second):
		t.Fatal("no spare started")
	}
	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop(context.Background()) }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		forced, cancel := context.WithCancel(context.Background())
		cancel()
		_ = s.Stop(forced) // take everything down before failing
		t.Fatal("Stop waited for a spare still starting")
	}
}
