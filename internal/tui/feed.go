package tui

import (
	"maps"
	"sync"
	"time"

	"github.com/procpool/supervisor/supervisor"
)

// keepLines is how many event and log lines a Feed keeps for the view.
const keepLines = 500

// A Feed collects what the view shows that arrives as it happens: task
// results, worker events and log lines. Its methods are safe for
// concurrent use and never block on the screen. Create it before the
// supervisor, so that the start-up events are in it.
type Feed struct {
	mu        sync.Mutex
	done      int
	failed    int
	overhead  logHist
	lines     []Line // the last keepLines, oldest first
	logs      []string
	abandoned map[int]int // worker id → goroutines abandoned there (thread mode)
}

// A Line is one entry of the events pane.
type Line struct {
	At   time.Time
	Text string
	Log  bool // a log line from stderr, not a supervisor event
}

// NewFeed returns an empty feed.
func NewFeed() *Feed { return &Feed{} }

// Event records a supervisor event; give it Config.OnEvent's events.
// Every task's result arrives as a TaskFinished and is counted, not shown:
// the pane is for what happens to workers.
func (f *Feed) Event(e supervisor.Event) {
	switch e := e.(type) {
	case supervisor.TaskFinished:
		f.result(e.Result)
		return
	case supervisor.GoroutineAbandoned:
		f.mu.Lock()
		if f.abandoned == nil {
			f.abandoned = map[int]int{}
		}
		f.abandoned[e.Worker]++
		f.mu.Unlock()
	}
	f.add(Line{At: time.Now(), Text: e.String()})
}

func (f *Feed) result(r supervisor.Result) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Status == supervisor.StatusOK {
		f.done++
	} else {
		f.failed++
	}
	if r.RoundTrip > 0 {
		f.overhead.add(r.Overhead())
	}
}

// Log records a line written to stderr while the view owns the terminal.
func (f *Feed) Log(text string) {
	f.add(Line{At: time.Now(), Text: text, Log: true})
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = keepLast(append(f.logs, text), keepLines)
}

// Logs returns the log lines recorded (the last 500), oldest first, for
// printing once the view has given the terminal back.
func (f *Feed) Logs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.logs...)
}

func (f *Feed) add(l Line) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lines = keepLast(append(f.lines, l), keepLines)
}

func keepLast[T any](s []T, n int) []T {
	if len(s) <= n {
		return s
	}
	return append(s[:0], s[len(s)-n:]...)
}

// totals is the run so far, as the header shows it.
type totals struct {
	done, failed int
	p50, p99     time.Duration // IPC overhead
	abandoned    map[int]int   // a copy
}

func (f *Feed) totals() totals {
	f.mu.Lock()
	defer f.mu.Unlock()
	return totals{done: f.done, failed: f.failed, p50: f.overhead.quantile(0.50), p99: f.overhead.quantile(0.99),
		abandoned: maps.Clone(f.abandoned)}
}

// recent returns a copy of the last n lines, oldest first.
func (f *Feed) recent(n int) []Line {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Line(nil), f.lines[max(len(f.lines)-n, 0):]...)
}
