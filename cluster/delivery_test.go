package cluster

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/procpool/supervisor/supervisor"
)

// shortLease makes redelivery tests quick: a lost agent's task comes back
// after 500ms.
var shortLease = Topology{AckWait: 500 * time.Millisecond}

func TestDuplicateSubmitIsStoredOnce(t *testing.T) {
	srv := startServer(t)
	e := newExecutor(t, srv, Config{})
	j := &job{run: e.run, id: 1, name: "echo", inputs: [][]byte{[]byte("x")}, retries: 1, poison: 2}
	ctx := context.Background()
	first, err := e.js.PublishMsg(ctx, j.msg(), e.msgID(j))
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.js.PublishMsg(ctx, j.msg(), e.msgID(j))
	if err != nil {
		t.Fatal(err)
	}
	if first.Duplicate || !again.Duplicate || again.Sequence != first.Sequence {
		t.Errorf("acks %+v then %+v; want the second a duplicate of the first", first, again)
	}
	info, err := e.h.tasks.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Errorf("%d messages stored, want 1", info.State.Msgs)
	}
}

func TestSecondResultIsRefused(t *testing.T) {
	srv := startServer(t)
	e := newExecutor(t, srv, Config{})
	f := e.Submit(context.Background(), task("echo", "x")) // no agent: it stays queued
	ctx := context.Background()
	p := e.pendingOf(f.ID())
	ok := taskOutcome{Status: supervisor.StatusOK.String(), Output: []byte("first")}
	if err := writeResult(ctx, e.js, p.job, sameForAll(p.job, 1, ok), nil); err != nil {
		t.Fatal(err)
	}
	late := taskOutcome{Status: supervisor.StatusFailed.String(), Output: []byte("second")}
	if err := writeResult(ctx, e.js, p.job, sameForAll(p.job, 2, late), nil); err != nil {
		t.Fatalf("a refused second result is not an error for its writer: %v", err)
	}
	m, err := e.h.results.GetLastMsgForSubject(ctx, resultSubject(e.run, f.ID()))
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := decodeResult(m.Data); string(r.Tasks[0].Output) != "first" {
		t.Errorf("stored result %+v, want the first", r)
	}
	if r := wait(t, f); string(r.Output) != "first" || r.Status != supervisor.StatusOK {
		t.Errorf("future's result %+v, want the first", r)
	}
	// The raw refusal, as the server gives it.
	_, err = e.js.Publish(ctx, resultSubject(e.run, f.ID()), []byte("third"))
	if !isAnswered(err) {
		t.Errorf("third publish: %v; want refused as answered", err)
	}
}

func TestLostAgentsTaskIsRedeliveredToAnother(t *testing.T) {
	srv := startServer(t)
	lost := startAgent(t, srv, "lost", supervisor.Config{Mode: supervisor.ModeThread}, shortLease)
	e := newExecutor(t, srv, Config{})
	f := e.Submit(context.Background(), task("sleep", "1h"))
	if ev := lost.next(t, "held"); ev.job != f.ID() || ev.delivery != 1 {
		t.Fatalf("lost agent took %+v", ev)
	}
	lost.lose()
	other := startAgent(t, srv, "other", supervisor.Config{Mode: supervisor.ModeThread}, shortLease)
	if ev := other.next(t, "held"); ev.job != f.ID() || ev.delivery != 2 {
		t.Fatalf("other agent took %+v, want the task's second delivery", ev)
	}
	// The lost agent, cut off from JetStream, fenced itself off and stopped
	// its task rather than finish it for nobody.
	if ev := lost.next(t, "fenced"); ev.job != f.ID() {
		t.Errorf("lost agent settled %+v", ev)
	}
	f.Cancel()
	r := wait(t, f)
	if r.Status != supervisor.StatusCanceled || r.Agent != other.Name() || r.Attempts != 2 {
		t.Fatalf("status %s from %q after %d attempts; want canceled by other after 2", r.Status, r.Agent, r.Attempts)
	}
}

func TestLongTaskIsNotRedeliveredWhileAlive(t *testing.T) {
	srv := startServer(t)
	// A lease of 1s, heart-beaten every 333ms: a machine loaded enough to
	// hold a heart-beat back a whole lease would fail this test.
	lease := Topology{AckWait: time.Second}
	a := startAgent(t, srv, "a", supervisor.Config{Mode: supervisor.ModeThread}, lease)
	b := startAgent(t, srv, "b", supervisor.Config{Mode: supervisor.ModeThread}, lease)
	e := newExecutor(t, srv, Config{})
	// Three leases long: without heart-beats it would be redelivered twice.
	r := wait(t, e.Submit(context.Background(), task("sleep", "3s")))
	if r.Status != supervisor.StatusOK || r.Attempts != 1 {
		t.Fatalf("status %s after %d attempts; want ok after 1", r.Status, r.Attempts)
	}
	held := 0
	for _, ag := range []*testAgent{a, b} {
		for len(ag.events) > 0 {
			if ev := <-ag.events; ev.how == "held" {
				held++
			}
		}
	}
	if held != 1 {
		t.Errorf("the task was taken %d times, want once", held)
	}
}

func TestHostLostBackstop(t *testing.T) {
	// The task's last allowed delivery (PoisonAfter 2) dies with its host.
	// With MaxDeliver 2 nobody may take it again: the client answers on the
	// server's advisory, which comes when a live agent asks for tasks. With
	// MaxDeliver 3 that agent answers it.
	for _, c := range []struct {
		name       string
		maxDeliver int
		byAgent    bool
	}{{"advisory", 2, false}, {"agent", 3, true}} {
		t.Run(c.name, func(t *testing.T) {
			srv := startServer(t)
			topo := shortLease
			topo.MaxDeliver = c.maxDeliver
			e := newExecutor(t, srv, Config{Retries: 5, PoisonAfter: 2}, topo)
			first := startAgent(t, srv, "first", supervisor.Config{Mode: supervisor.ModeThread}, topo)
			f := e.Submit(context.Background(), task("sleep", "1h"))
			first.next(t, "held")
			first.lose()
			second := startAgent(t, srv, "second", supervisor.Config{Mode: supervisor.ModeThread}, topo)
			if ev := second.next(t, "held"); ev.delivery != 2 {
				t.Fatalf("second agent took delivery %d, want 2", ev.delivery)
			}
			second.lose()
			third := startAgent(t, srv, "third", supervisor.Config{Mode: supervisor.ModeThread}, topo)
			r := wait(t, f)
			if r.Status != supervisor.StatusQuarantined || !errors.Is(r.Err, ErrHostLost) || !errors.Is(r.Err, supervisor.ErrQuarantined) {
				t.Fatalf("status %s: %v; want quarantined, host lost", r.Status, r.Err)
			}
			// Stop waits for the executor's own work: deleting the message.
			if err := e.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			info, err := e.h.tasks.Info(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if info.State.Msgs != 0 {
				t.Errorf("%d task messages left, want 0", info.State.Msgs)
			}
			third.stop(t)
			answered := false
			for len(third.events) > 0 {
				ev := <-third.events
				answered = answered || ev.how == "answered"
				if ev.how == "held" {
					t.Errorf("the third agent ran the task")
				}
			}
			if answered != c.byAgent {
				t.Errorf("answered by the third agent: %v, want %v", answered, c.byAgent)
			}
		})
	}
}

func TestDeadClientsRunIsDropped(t *testing.T) {
	srv := startServer(t)
	topo := Topology{RunLease: 600 * time.Millisecond}
	a := startAgent(t, srv, "a", supervisor.Config{Mode: supervisor.ModeProcess, Workers: 1}, topo)
	ctx := context.Background()
	nc := connect(t, srv)
	e, err := New(ctx, nc, Config{})
	if err != nil {
		t.Fatal(err)
	}
	running := e.Submit(ctx, task("sleep", "1h"))
	e.Submit(ctx, task("sleep", "1h")) // queued behind it: one worker
	if ev := a.next(t, "held"); ev.job != running.ID() {
		t.Fatalf("agent took %+v", ev)
	}
	// The client dies: no Stop, no more heart-beats.
	e.lease.stopBeating()
	nc.Close()
	// The event comes once the task has stopped running.
	if ev := a.next(t, "dropped"); ev.job != running.ID() {
		t.Fatalf("agent dropped %+v, want the running task", ev)
	}
	tasks := jsStream(t, srv, StreamTasks)
	if info, err := tasks.Info(ctx); err != nil || info.State.Msgs != 0 {
		t.Fatalf("tasks stream: %+v, %v; want the run's queued task purged", info.State, err)
	}
}

func jsStream(t *testing.T, srv *Server, name string) jetstream.Stream {
	t.Helper()
	js, err := jetstream.New(connect(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// stopBeating stops renewing the lease without ending the run, as a client
// that died would.
func (l *lease) stopBeating() {
	l.once.Do(func() {
		close(l.stop)
		l.stopped.Wait()
	})
}

// The client's answer for a task that ran out of deliveries is the only one
// it will get: the client keeps trying while results cannot be written.
// (The first version gave up after two leases, and the run stalled; found
// by the chaos test.)
func TestHostLostBackstopOutlastsAnOutage(t *testing.T) {
	srv := startServer(t)
	topo := shortLease
	topo.MaxDeliver = 1
	logs := make(chan string, 100)
	e := newExecutor(t, srv, Config{Retries: -1, PoisonAfter: 2, Logger: slog.New(chanHandler(logs))}, topo)
	lost := startAgent(t, srv, "lost", supervisor.Config{Mode: supervisor.ModeThread}, topo)
	f := e.Submit(context.Background(), task("sleep", "1h"))
	lost.next(t, "held")
	lost.lose()
	// The advisory comes when an agent pulls; an agent sets the streams up
	// as it starts, so it starts before the outage.
	startAgent(t, srv, "puller", supervisor.Config{Mode: supervisor.ModeThread}, topo)
	// Results cannot be written: the stream takes no message this large.
	js, _ := jetstream.New(connect(t, srv))
	results := jsStream(t, srv, StreamResults)
	cfg := results.CachedInfo().Config
	small := cfg
	small.MaxMsgSize = 16
	if _, err := js.UpdateStream(context.Background(), small); err != nil {
		t.Fatal(err)
	}
	for seen := false; !seen; {
		select {
		case msg := <-logs:
			seen = strings.Contains(msg, "ran out of deliveries")
		case <-time.After(testTimeout):
			t.Fatal("no advisory for the lost task")
		}
	}
	// The outage lasts longer than the first version tried.
	time.Sleep(3 * topo.AckWait) // holding a fault, not waiting for one
	if _, err := js.UpdateStream(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	r := wait(t, f)
	if r.Status != supervisor.StatusDied || !errors.Is(r.Err, ErrHostLost) {
		t.Fatalf("status %s: %v; want died, host lost", r.Status, r.Err)
	}
}

// chanHandler sends every log message to ch, dropping them when it is full.
func chanHandler(ch chan<- string) slog.Handler { return &msgHandler{ch: ch} }

type msgHandler struct{ ch chan<- string }

func (h *msgHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *msgHandler) Handle(_ context.Context, r slog.Record) error {
	select {
	case h.ch <- r.Message:
	default:
	}
	return nil
}
func (h *msgHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *msgHandler) WithGroup(string) slog.Handler      { return h }

// An agent that cannot write a result keeps its task's delivery alive while
// it tries: an election of the results stream does not cost the task a
// delivery. (The first version gave up after a lease, and three tasks ran
// out of deliveries in a chaos round while their results waited.)
func TestResultOutageKeepsTheDelivery(t *testing.T) {
	srv := startServer(t)
	e := newExecutor(t, srv, Config{}, shortLease)
	a := startAgent(t, srv, "a", supervisor.Config{Mode: supervisor.ModeThread}, shortLease)
	js, _ := jetstream.New(connect(t, srv))
	cfg := jsStream(t, srv, StreamResults).CachedInfo().Config
	small := cfg
	small.MaxMsgSize = 16
	if _, err := js.UpdateStream(context.Background(), small); err != nil {
		t.Fatal(err)
	}
	f := e.Submit(context.Background(), task("echo", "x"))
	a.next(t, "held")
	time.Sleep(3 * shortLease.AckWait) // holding a fault, not waiting for one
	if _, err := js.UpdateStream(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if r := wait(t, f); r.Status != supervisor.StatusOK || r.Attempts != 1 {
		t.Fatalf("status %s after %d deliveries; want ok after 1", r.Status, r.Attempts)
	}
}

// pendingOf is the executor's record of task id, for tests that write its
// results themselves.
func (e *Executor) pendingOf(id uint64) *pending {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.pending[id]
}
