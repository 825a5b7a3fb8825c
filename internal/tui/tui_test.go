package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/procpool/supervisor/internal/feed"
	"github.com/procpool/supervisor/supervisor"
)

// fakePool records the actions the view asks for.
type fakePool struct {
	mu      sync.Mutex
	mode    supervisor.Mode
	workers []supervisor.WorkerInfo
	totals  feed.Totals
	paused  bool
	calls   []string
	lines   []feed.Line
	err     error // Snapshot's, once set
}

func (f *fakePool) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakePool) Snapshot(after uint64) (Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return Snapshot{}, f.err
	}
	var events []feed.Line
	for _, l := range f.lines {
		if l.Seq > after {
			events = append(events, l)
		}
	}
	return Snapshot{Mode: f.mode, IPC: "grpc", Began: time.Now().Add(-3 * time.Second), Workers: slices.Clone(f.workers),
		Submitted: 10, Paused: f.paused, Totals: f.totals, Events: events}, nil
}

func (f *fakePool) Kill(id int, sig syscall.Signal) error {
	f.record(fmt.Sprintf("kill %d %s", id, signalName(sig)))
	return nil
}
func (f *fakePool) CancelTask(id int) error {
	f.record("cancel")
	return errors.New("worker 1 is not running a task")
}
func (f *fakePool) AddWorker(string) (int, error) { f.record("add"); return 3, nil }
func (f *fakePool) RemoveWorker(id int) error {
	f.record(fmt.Sprintf("remove %d", id))
	return nil
}
func (f *fakePool) SetPaused(p bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paused = p
	f.calls = append(f.calls, "pause")
	return nil
}

func newFake() *fakePool {
	return &fakePool{mode: supervisor.ModeProcess, workers: []supervisor.WorkerInfo{
		{ID: 1, PID: 101, State: supervisor.StateBusy, TaskID: 7, Task: "sleep", Input: []byte("1s"), Busy: 300 * time.Millisecond, Done: 4, RSS: 12 << 20},
		{ID: 2, PID: 102, State: supervisor.StateIdle, Done: 5, Failed: 1, Restarts: 2, RSS: 11 << 20},
	}}
}

// manyWorkers is a pool of n busy workers.
func manyWorkers(n int) *fakePool {
	f := &fakePool{mode: supervisor.ModeProcess}
	for id := 1; id <= n; id++ {
		f.workers = append(f.workers, supervisor.WorkerInfo{ID: id, PID: 1000 + id, State: supervisor.StateBusy,
			TaskID: uint64(id), Task: "primes", Input: []byte("112272535095293"), Busy: time.Second, RSS: 17 << 20})
	}
	return f
}

func press(k string) tea.KeyPressMsg {
	switch k {
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// send delivers msg and runs the command it returns, as Bubble Tea would,
// feeding the resulting message back once.
func send(t *testing.T, m *model, msg tea.Msg) tea.Msg {
	t.Helper()
	_, cmd := m.Update(msg)
	if cmd == nil {
		return nil
	}
	out := cmd()
	switch out.(type) {
	case statusMsg, retiredMsg:
		m.Update(out)
	}
	return out
}

// refresh takes a snapshot as the view's tick does.
func refresh(m *model) { m.Update(m.fetch()()) }

func startedSized(pool Pool, stop bool, w, h int) *model {
	var opts Options
	if stop {
		opts.Stop = func(context.Context) error { return nil }
	}
	m := newModel(pool, opts)
	m.Update(m.Init()())
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

func started(pool Pool) *model { return startedSized(pool, true, 120, 30) }

func screen(m *model) string { return ansi.Strip(m.View().Content) }

func TestKeysActOnTheSelectedWorker(t *testing.T) {
	pool := newFake()
	m := started(pool)
	if m.selected != 1 {
		t.Fatalf("selected %d at start, want the first worker", m.selected)
	}
	send(t, m, press("down"))
	send(t, m, press("down")) // stays on the last
	send(t, m, press("k"))
	send(t, m, press("t"))
	send(t, m, press("up"))
	send(t, m, press("c"))
	if !strings.HasPrefix(m.status, "error: ") {
		t.Errorf("status after a failed cancel = %q, want the error", m.status)
	}
	send(t, m, press("+"))
	send(t, m, press("-"))
	send(t, m, press("p"))
	want := []string{"kill 2 SIGKILL", "kill 2 SIGTERM", "cancel", "add", "remove 1", "pause"}
	if !slices.Equal(pool.calls, want) {
		t.Errorf("calls %q, want %q", pool.calls, want)
	}
	if !pool.paused {
		t.Error("p did not pause")
	}
}

func TestQuitStopsGentlyThenForces(t *testing.T) {
	var stopCtx context.Context
	m := newModel(newFake(), Options{Stop: func(ctx context.Context) error { stopCtx = ctx; return nil }})
	m.Update(m.Init()())
	send(t, m, press("q"))
	if stopCtx == nil || stopCtx.Err() != nil {
		t.Fatal("first q: want Stop with a live context")
	}
	send(t, m, press("q"))
	if stopCtx.Err() == nil {
		t.Error("second q: want Stop's context cancelled")
	}
	if _, cmd := m.Update(finishMsg{summary: "tasks 3"}); cmd == nil {
		t.Error("after q, the end of the run should quit without waiting for a key")
	} else if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("after q, the end of the run should quit without waiting for a key")
	}
}

// TestQuitLeavesARunItDoesNotOwn: "supervisor top" leaves on q, and says
// so in its help; the run goes on.
func TestQuitLeavesARunItDoesNotOwn(t *testing.T) {
	m := startedSized(newFake(), false, 120, 30)
	if _, ok := send(t, m, press("q")).(tea.QuitMsg); !ok {
		t.Error("q in a view of another process's run should leave at once")
	}
	send(t, m, press("?"))
	if s := screen(m); !strings.Contains(s, "leave this view; the run goes on") || strings.Contains(s, "forces the workers") {
		t.Errorf("help of an attached view:\n%s", s)
	}
}

func TestFinalScreenWaitsForAKey(t *testing.T) {
	m := started(newFake())
	if _, cmd := m.Update(finishMsg{summary: "\nmode  process\ntasks 10: 10 ok\n"}); cmd != nil {
		m.Update(cmd()) // the final snapshot
	}
	view := screen(m)
	for _, want := range []string{"run finished", "tasks 10: 10 ok", "press any key"} {
		if !strings.Contains(view, want) {
			t.Errorf("final screen lacks %q:\n%s", want, view)
		}
	}
	if _, ok := send(t, m, press("x")).(tea.QuitMsg); !ok {
		t.Error("a key on the final screen should quit")
	}
}

// TestRunGoneEndsTheView: when the supervisor can no longer be reached,
// the view says why and stops asking.
func TestRunGoneEndsTheView(t *testing.T) {
	pool := newFake()
	m := started(pool)
	pool.err = errors.New("no running supervisor found (it went away)")
	_, cmd := m.Update(m.fetch()())
	if cmd != nil {
		t.Error("after a failed snapshot the view should stop refreshing")
	}
	if s := screen(m); !strings.Contains(s, "it went away") || !strings.Contains(s, "press any key") {
		t.Errorf("screen after the run went away:\n%s", s)
	}
}

func TestViewShowsWorkersAndEvents(t *testing.T) {
	pool := newFake()
	pool.lines = []feed.Line{{Seq: 1, At: time.Now(), Text: "worker 1 started (pid 101)"}}
	m := started(pool)
	pool.lines = append(pool.lines, feed.Line{Seq: 2, At: time.Now(), Text: "worker 2: task 9 (sleep) cancelled on request"})
	refresh(m)
	refresh(m) // nothing new: no line twice
	view := screen(m)
	for _, want := range []string{"process mode, data path grpc", "2 workers", "▶", "101", "#7 sleep 1s", "busy", "12.0 MiB",
		"TASKS/S", "worker 1 started", "cancelled on request"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	if n := strings.Count(view, "cancelled on request"); n != 1 {
		t.Errorf("the event line shows %d times, want once", n)
	}
	if got := strings.Count(view, "\n") + 1; got != 30 {
		t.Errorf("view has %d lines, want the window's 30", got)
	}
	send(t, m, press("?"))
	if !strings.Contains(screen(m), "q again forces") {
		t.Error("? shows no help")
	}
}

func TestThreadModeRows(t *testing.T) {
	pool := newFake()
	pool.mode = supervisor.ModeThread
	pool.workers[0].State, pool.workers[0].RSS = supervisor.StateAbandoned, 0
	pool.totals.Abandoned = map[int]int{1: 1}
	m := started(pool)
	send(t, m, press("k"))
	view := screen(m)
	for _, want := range []string{"goroutine", "abandoned", "cannot be killed", "ABANDONED", "1 goroutine abandoned, still running"} {
		if !strings.Contains(view, want) {
			t.Errorf("thread-mode view lacks %q:\n%s", want, view)
		}
	}
}

// TestRetiredWorkerLeavesTheCount: after -, the header counts one worker
// fewer at once, and the row says the worker is retiring (issue 13: the
// header still counted it).
func TestRetiredWorkerLeavesTheCount(t *testing.T) {
	m := started(newFake())
	if s := screen(m); !strings.Contains(s, "· 2 workers ·") {
		t.Fatalf("header before -:\n%s", s)
	}
	send(t, m, press("-"))
	s := screen(m)
	if !strings.Contains(s, "· 1 worker ·") || !strings.Contains(s, "1 retiring") || !strings.Contains(s, "retiring ") {
		t.Errorf("header and row after -:\n%s", s)
	}
}

func TestViewSurvivesTinyWindowsAndNoWorkers(t *testing.T) {
	m := started(&fakePool{})
	for _, size := range [][2]int{{1, 1}, {20, 5}, {200, 3}, {0, 0}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		_ = m.View()
		send(t, m, press("k"))
		send(t, m, press("down"))
		send(t, m, press("?"))
		_ = m.View()
		send(t, m, press("?"))
	}
}

func TestSparklineAndRates(t *testing.T) {
	if got := sparkline([]float64{0, 5, 10}, 10, 5); got != "  ▁▅█" {
		t.Errorf("sparkline = %q", got)
	}
	var r rates
	t0 := time.Unix(0, 0)
	r.update(t0, []supervisor.WorkerInfo{{ID: 1}})
	r.update(t0.Add(sparkStep/2), []supervisor.WorkerInfo{{ID: 1, Done: 1}})
	r.update(t0.Add(2*sparkStep), []supervisor.WorkerInfo{{ID: 1, Done: 4}})
	if h := r.hist[1]; len(h) != 1 || h[0] != 2 {
		t.Errorf("history %v, want one sample of 2 tasks/s", h)
	}
	r.update(t0.Add(4*sparkStep), nil)
	if len(r.hist) != 0 {
		t.Error("a removed worker's history stays")
	}
	var tp throughput
	tp.add(t0, 0)
	tp.add(t0.Add(time.Second), 10)
	tp.add(t0.Add(10*time.Second), 100)
	if got := tp.rate(); got != 10 {
		t.Errorf("rate %v, want 10/s over the window", got)
	}
}
