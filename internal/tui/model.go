package tui

import (
	"context"
	"fmt"
	"slices"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/procpool/supervisor/internal/feed"
	"github.com/procpool/supervisor/supervisor"
)

// refreshEvery matches the supervisor's /proc sampling: refreshing faster
// would show the same memory and CPU figures again.
const refreshEvery = 200 * time.Millisecond

// model is the screen's state. Bubble Tea calls its methods from one
// goroutine; everything it reads from the run comes through the Pool, in
// commands that answer with a message.
type model struct {
	pool Pool
	opts Options
	st   *styles
	keys keyMap
	help help.Model

	width, height int
	now           time.Time
	snap          Snapshot
	events        []feed.Line // the last feed.Keep, oldest first
	lastSeq       uint64
	rates         rates
	tp            throughput
	retiring      map[int]bool // workers retired with -, until they leave the snapshot

	selected   int // the selected worker's id, kept across refreshes
	showHelp   bool
	helpScroll int    // first line of the help shown, when it does not fit
	status     string // the outcome of the last key action

	stopping bool               // q was pressed: the run is being stopped
	force    context.CancelFunc // a second q: stop by force
	finished bool               // the run has ended, or can no longer be watched
	summary  string
}

type (
	tickMsg     time.Time
	snapshotMsg struct {
		snap Snapshot
		err  error
		at   time.Time
	}
	finishMsg  struct{ summary string }
	statusMsg  string
	retiredMsg int // a worker RemoveWorker accepted
)

func newModel(pool Pool, opts Options) *model {
	m := &model{pool: pool, opts: opts, st: newStyles(), keys: newKeyMap(opts.Stop != nil), help: newHelp(),
		retiring: map[int]bool{}}
	m.resize(80, 24)
	return m
}

// resize follows the terminal: the footer's help drops whole entries to
// fit the width.
func (m *model) resize(w, h int) {
	m.width, m.height = w, h
	m.help.SetWidth(w)
}

func tick() tea.Cmd {
	return tea.Tick(refreshEvery, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// fetch takes a snapshot off the event loop. The next one is asked for
// only once this one is in, so a slow remote supervisor is not flooded.
func (m *model) fetch() tea.Cmd {
	pool, after := m.pool, m.lastSeq
	return func() tea.Msg {
		snap, err := pool.Snapshot(after)
		return snapshotMsg{snap: snap, err: err, at: time.Now()}
	}
}

func (m *model) Init() tea.Cmd { return m.fetch() }

func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
	case tickMsg:
		return m, m.fetch()
	case snapshotMsg:
		return m, m.refreshed(msg)
	case finishMsg:
		m.finished, m.summary = true, msg.summary
		if m.stopping { // the user asked to quit: no need to wait for a key
			return m, tea.Quit
		}
		return m, m.fetch() // the final figures
	case statusMsg:
		m.status = string(msg)
	case retiredMsg:
		m.retiring[int(msg)] = true
		m.status = fmt.Sprintf("worker %d: retiring once its tasks are done", int(msg))
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// refreshed takes in a snapshot, and asks for the next one unless the run
// is over.
func (m *model) refreshed(msg snapshotMsg) tea.Cmd {
	if msg.err != nil {
		if !m.finished {
			m.finished, m.summary = true, "the run can no longer be watched: "+msg.err.Error()
		}
		return nil
	}
	m.apply(msg.snap, msg.at)
	if m.finished {
		return nil
	}
	return tick()
}

// apply makes snap the view's picture of the run.
func (m *model) apply(snap Snapshot, now time.Time) {
	events := snap.Events
	snap.Events = nil
	m.now, m.snap = now, snap
	if n := len(events); n > 0 {
		m.events = keepLast(append(m.events, events...), feed.Keep)
		m.lastSeq = events[n-1].Seq
	}
	for id := range m.retiring { // gone from the pool: no longer retiring
		if m.worker(id) < 0 {
			delete(m.retiring, id)
		}
	}
	m.rates.update(now, snap.Workers)
	m.tp.add(now, snap.Totals.Done+snap.Totals.Failed)
	if len(snap.Workers) > 0 && m.index() < 0 {
		m.selected = snap.Workers[0].ID
	}
}

func keepLast[T any](s []T, n int) []T {
	if len(s) <= n {
		return s
	}
	return append(s[:0], s[len(s)-n:]...)
}

// worker is worker id's position in the snapshot, or -1.
func (m *model) worker(id int) int {
	return slices.IndexFunc(m.snap.Workers, func(w supervisor.WorkerInfo) bool { return w.ID == id })
}

// index is the selected worker's position in the snapshot, or -1.
func (m *model) index() int { return m.worker(m.selected) }

// threadMode reports whether the workers are goroutines.
func (m *model) threadMode() bool { return m.snap.Mode == supervisor.ModeThread }

// move selects the worker delta rows away, stopping at either end.
func (m *model) move(delta int) {
	if len(m.snap.Workers) == 0 {
		return
	}
	i := min(max(m.index()+delta, 0), len(m.snap.Workers)-1)
	m.selected = m.snap.Workers[i].ID
}
