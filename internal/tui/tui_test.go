package tui

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// fakePool records the actions the view asks for.
type fakePool struct {
	mu      sync.Mutex
	workers []supervisor.WorkerInfo
	paused  bool
	calls   []string
	stopCtx context.Context
}

func (f *fakePool) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakePool) Workers() []supervisor.WorkerInfo { return slices.Clone(f.workers) }
func (f *fakePool) Submitted() int                   { return 10 }
func (f *fakePool) Paused() bool                     { f.mu.Lock(); defer f.mu.Unlock(); return f.paused }
func (f *fakePool) Kill(id int, sig syscall.Signal) error {
	f.record("kill " + string(rune('0'+id)) + " " + signalName(sig))
	return nil
}
func (f *fakePool) CancelTask(id int) error {
	f.record("cancel")
	return errors.New("worker 1 is not running a task")
}
func (f *fakePool) AddWorker(string) (int, error) { f.record("add"); return 3, nil }
func (f *fakePool) RemoveWorker(int) error        { f.record("remove"); return nil }
func (f *fakePool) SetPaused(p bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paused = p
	f.calls = append(f.calls, "pause")
}
func (f *fakePool) Stop(ctx context.Context) error {
	f.mu.Lock()
	f.stopCtx = ctx
	f.calls = append(f.calls, "stop")
	f.mu.Unlock()
	return nil
}

func newFake() *fakePool {
	return &fakePool{workers: []supervisor.WorkerInfo{
		{ID: 1, PID: 101, State: supervisor.StateBusy, TaskID: 7, Task: "sleep", Input: []byte("1s"), Busy: 300 * time.Millisecond, Done: 4, RSS: 12 << 20},
		{ID: 2, PID: 102, State: supervisor.StateIdle, Done: 5, Failed: 1, Restarts: 2, RSS: 11 << 20},
	}}
}

func press(k string) tea.KeyPressMsg {
	switch k {
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
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
	if s, ok := out.(statusMsg); ok {
		m.Update(s)
	}
	return out
}

func started(pool Pool, mode supervisor.Mode) *model {
	m := newModel(pool, NewFeed(), Options{Mode: mode, IPC: "grpc"})
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	return m
}

func TestKeysActOnTheSelectedWorker(t *testing.T) {
	pool := newFake()
	m := started(pool, supervisor.ModeProcess)
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
	want := []string{"kill 2 SIGKILL", "kill 2 SIGTERM", "cancel", "add", "remove", "pause"}
	if !slices.Equal(pool.calls, want) {
		t.Errorf("calls %q, want %q", pool.calls, want)
	}
	if !pool.Paused() {
		t.Error("p did not pause")
	}
}

func TestQuitStopsGentlyThenForces(t *testing.T) {
	pool := newFake()
	m := started(pool, supervisor.ModeProcess)
	send(t, m, press("q"))
	if pool.stopCtx == nil || pool.stopCtx.Err() != nil {
		t.Fatal("first q: want Stop with a live context")
	}
	send(t, m, press("q"))
	if pool.stopCtx.Err() == nil {
		t.Error("second q: want Stop's context cancelled")
	}
	if _, ok := send(t, m, finishMsg{summary: "tasks 3"}).(tea.QuitMsg); !ok {
		t.Error("after q, the end of the run should quit without waiting for a key")
	}
}

func TestFinalScreenWaitsForAKey(t *testing.T) {
	m := started(newFake(), supervisor.ModeProcess)
	if msg := send(t, m, finishMsg{summary: "\nmode  process\ntasks 10: 10 ok\n"}); msg != nil {
		t.Fatalf("finish quit at once (%T); want the final screen", msg)
	}
	view := ansi.Strip(m.View().Content)
	for _, want := range []string{"run finished", "tasks 10: 10 ok", "press any key"} {
		if !strings.Contains(view, want) {
			t.Errorf("final screen lacks %q:\n%s", want, view)
		}
	}
	if _, ok := send(t, m, press("x")).(tea.QuitMsg); !ok {
		t.Error("a key on the final screen should quit")
	}
}

func TestViewShowsWorkers(t *testing.T) {
	m := started(newFake(), supervisor.ModeProcess)
	view := ansi.Strip(m.View().Content)
	for _, want := range []string{"process mode, data path grpc", "▶", "101", "#7 sleep 1s", "busy", "12.0 MiB"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	if got := strings.Count(view, "\n") + 1; got != 30 {
		t.Errorf("view has %d lines, want the window's 30", got)
	}
	send(t, m, press("?"))
	if !strings.Contains(ansi.Strip(m.View().Content), "q again forces") {
		t.Error("? shows no help")
	}
}

func TestThreadModeRows(t *testing.T) {
	pool := newFake()
	pool.workers[0].State, pool.workers[0].RSS = supervisor.StateAbandoned, 0
	m := started(pool, supervisor.ModeThread)
	m.feed.Event(supervisor.GoroutineAbandoned{Worker: 1, TaskID: 3, Task: "hang"})
	send(t, m, press("k"))
	m.refresh(time.Now())
	view := ansi.Strip(m.View().Content)
	for _, want := range []string{"goroutine", "abandoned", "cannot be killed", "ABANDONED", "1 goroutine abandoned, still running"} {
		if !strings.Contains(view, want) {
			t.Errorf("thread-mode view lacks %q:\n%s", want, view)
		}
	}
}

func TestViewSurvivesTinyWindowsAndNoWorkers(t *testing.T) {
	m := started(&fakePool{}, supervisor.ModeProcess)
	for _, size := range [][2]int{{1, 1}, {20, 5}, {200, 3}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		_ = m.View()
		send(t, m, press("k"))
		send(t, m, press("down"))
	}
}

func TestFeed(t *testing.T) {
	f := NewFeed()
	f.Event(supervisor.WorkerStarted{Worker: 1, PID: 9, Startup: time.Millisecond})
	f.Event(supervisor.TaskFinished{Result: supervisor.Result{Status: supervisor.StatusOK, Task: worker.Task{Name: "echo"},
		Exec: time.Millisecond, RoundTrip: time.Millisecond + 100*time.Microsecond}})
	f.Event(supervisor.TaskFinished{Result: supervisor.Result{Status: supervisor.StatusFailed, Err: errors.New("x")}})
	f.Log("level=WARN msg=hello")
	tot := f.totals()
	if tot.done != 1 || tot.failed != 1 {
		t.Errorf("totals %+v, want 1 done and 1 failed", tot)
	}
	if d := tot.p50 - 100*time.Microsecond; d < -4*time.Microsecond || d > 4*time.Microsecond {
		t.Errorf("overhead p50 %s, want about 100µs", tot.p50)
	}
	lines := f.recent(10)
	if len(lines) != 2 || !strings.Contains(lines[0].Text, "worker 1 started") || !lines[1].Log {
		t.Errorf("lines %+v: want the start event and the log line, not the results", lines)
	}
	if logs := f.Logs(); len(logs) != 1 {
		t.Errorf("logs %q", logs)
	}
}

func TestQuantile(t *testing.T) {
	var h logHist
	if h.quantile(0.5) != 0 {
		t.Error("empty histogram: want 0")
	}
	for i := 1; i <= 1000; i++ {
		h.add(time.Duration(i) * time.Microsecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.99, 990 * time.Microsecond}, {1, time.Millisecond}} {
		got := h.quantile(tc.q)
		if math.Abs(float64(got-tc.want))/float64(tc.want) > 0.04 {
			t.Errorf("quantile(%v) = %s, want %s within 4%%", tc.q, got, tc.want)
		}
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
