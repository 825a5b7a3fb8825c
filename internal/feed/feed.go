package feed

import (
	"maps"
	"sync"
	"time"

	"github.com/procpool/supervisor/supervisor"
)

// Keep is how many event and log lines a Feed keeps.
const Keep = 500

// A Feed collects a run's event lines and counts. Its methods are safe for
// concurrent use and never block on a reader. Create it before the
// supervisor, so that the start-up events are in it.
type Feed struct {
	began time.Time

	mu        sync.Mutex
	seq       uint64
	done      int
	failed    int
	overhead  logHist
	lines     []Line // the last Keep, oldest first
	logs      []string
	abandoned map[int]int // worker id → goroutines abandoned there (thread mode)
}

// A Line is one entry of the events pane. Seq numbers lines from 1, in
// the order they were added.
type Line struct {
	Seq  uint64
	At   time.Time
	Text string
	Log  bool // a line written to stderr, not a supervisor event or a note
}

// Totals are the counts of the run so far, as the live view's header shows
// them.
type Totals struct {
	Done, Failed int           // tasks with a result, ok and not ok
	P50, P99     time.Duration // IPC overhead of the tasks that reached a worker
	Abandoned    map[int]int   // worker id → goroutines abandoned (thread mode); a copy
}

// New returns an empty feed; the run's clock starts now.
func New() *Feed { return &Feed{began: time.Now()} }

// Began is when the feed was made: the run's start, as the view shows it.
func (f *Feed) Began() time.Time { return f.began }

// Event records a supervisor event; give it Config.OnEvent's events.
// Every task's result arrives as a TaskFinished and is counted, not shown:
// the lines are for what happens to workers.
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
	f.add(e.String(), false)
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

// Note records a line that is not one of the supervisor's events: what an
// operator did that the supervisor does not report itself, such as
// cancelling a task or pausing the run.
func (f *Feed) Note(text string) { f.add(text, false) }

// Log records a line written to stderr while a view owns the terminal.
func (f *Feed) Log(text string) {
	f.add(text, true)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = keepLast(append(f.logs, text), Keep)
}

// Logs returns the log lines recorded (the last Keep), oldest first, for
// printing once the view has given the terminal back.
func (f *Feed) Logs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.logs...)
}

func (f *Feed) add(text string, log bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	f.lines = keepLast(append(f.lines, Line{Seq: f.seq, At: time.Now(), Text: text, Log: log}), Keep)
}

func keepLast[T any](s []T, n int) []T {
	if len(s) <= n {
		return s
	}
	return append(s[:0], s[len(s)-n:]...)
}

// Totals returns the run's counts so far.
func (f *Feed) Totals() Totals {
	f.mu.Lock()
	defer f.mu.Unlock()
	return Totals{Done: f.done, Failed: f.failed, P50: f.overhead.quantile(0.50), P99: f.overhead.quantile(0.99),
		Abandoned: maps.Clone(f.abandoned)}
}

// After returns a copy of the lines numbered after seq that the feed
// still keeps, oldest first: 0 asks for all of them.
func (f *Feed) After(seq uint64) []Line {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := len(f.lines)
	for i > 0 && f.lines[i-1].Seq > seq {
		i--
	}
	return append([]Line(nil), f.lines[i:]...)
}
