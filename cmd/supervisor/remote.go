package main

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"github.com/procpool/supervisor/internal/control"
	"github.com/procpool/supervisor/internal/controlpb"
	"github.com/procpool/supervisor/internal/feed"
	"github.com/procpool/supervisor/internal/tui"
	"github.com/procpool/supervisor/supervisor"
)

// remote is a supervisor running in another process as the live view
// uses it ("supervisor top"): the view's Pool over the control socket.
type remote struct{ c *control.Client }

var _ tui.Pool = remote{}

// remoteTimeout bounds one request. Adding a worker waits for it to be
// ready, which takes milliseconds, or seconds on a loaded machine.
const remoteTimeout = 30 * time.Second

func (r remote) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), remoteTimeout)
}

// Snapshot asks the supervisor for the run as the view shows it. An error
// ends the view: the supervisor has gone (its run ended) or stopped
// answering.
func (r remote) Snapshot(eventsAfter uint64) (tui.Snapshot, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	resp, err := r.c.Snapshot(ctx, eventsAfter)
	if err != nil {
		return tui.Snapshot{}, err
	}
	return snapshotOf(resp), nil
}

func snapshotOf(resp *controlpb.SnapshotResponse) tui.Snapshot {
	mode, _ := supervisor.ParseMode(resp.GetMode())
	snap := tui.Snapshot{Mode: mode, IPC: resp.GetIpc(), Began: time.Unix(0, resp.GetStartedUnixNs()),
		Submitted: int(resp.GetSubmitted()), Paused: resp.GetPaused(),
		Totals: feed.Totals{Done: int(resp.GetDone()), Failed: int(resp.GetFailed()),
			P50: time.Duration(resp.GetOverheadP50Ns()), P99: time.Duration(resp.GetOverheadP99Ns())}}
	if resp.GetStartedUnixNs() == 0 {
		snap.Began = time.Time{}
	}
	for _, w := range resp.GetWorkers() {
		snap.Workers = append(snap.Workers, control.WorkerInfo(w))
	}
	if len(resp.GetAbandoned()) > 0 {
		snap.Totals.Abandoned = map[int]int{}
		for id, n := range resp.GetAbandoned() {
			snap.Totals.Abandoned[int(id)] = int(n)
		}
	}
	for _, l := range resp.GetEvents() {
		snap.Events = append(snap.Events, feed.Line{Seq: l.GetSeq(), At: time.Unix(0, l.GetAtUnixNs()), Text: l.GetText(), Log: l.GetLog()})
	}
	return snap
}

// Kill sends sig (SIGKILL or SIGTERM) to worker id.
func (r remote) Kill(id int, sig syscall.Signal) error {
	name := "KILL"
	switch sig {
	case syscall.SIGKILL:
	case syscall.SIGTERM:
		name = "TERM"
	default:
		return fmt.Errorf("signal %s: the control socket sends TERM or KILL", sig)
	}
	ctx, cancel := r.ctx()
	defer cancel()
	_, err := r.c.Kill(ctx, id, name)
	return err
}

func (r remote) CancelTask(id int) error {
	ctx, cancel := r.ctx()
	defer cancel()
	return r.c.Cancel(ctx, id)
}

func (r remote) AddWorker(pool string) (int, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	return r.c.AddWorker(ctx, pool)
}

func (r remote) RemoveWorker(id int) error {
	ctx, cancel := r.ctx()
	defer cancel()
	return r.c.RemoveWorker(ctx, id)
}

func (r remote) SetPaused(paused bool) error {
	ctx, cancel := r.ctx()
	defer cancel()
	return r.c.Pause(ctx, paused)
}
