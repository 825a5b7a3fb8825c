package tui

import (
	"context"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/procpool/supervisor/supervisor"
)

// refreshEvery matches the supervisor's /proc sampling: refreshing faster
// would show the same memory and CPU figures again.
const refreshEvery = 200 * time.Millisecond

// model is the screen's state. Bubble Tea calls its methods from one
// goroutine; everything it reads from the run comes through the Pool and
// the Feed.
type model struct {
	pool  Pool
	feed  *Feed
	opts  Options
	st    *styles
	begin time.Time

	width, height int
	now           time.Time
	workers       []supervisor.WorkerInfo
	totals        totals
	total         int
	paused        bool
	rates         rates
	tp            throughput

	selected int // the selected worker's id, kept across refreshes
	help     bool
	status   string // the outcome of the last key action

	stopping bool               // q was pressed: the run is being stopped
	force    context.CancelFunc // a second q: stop by force
	finished bool               // the run has ended
	summary  string
}

type (
	tickMsg   time.Time
	finishMsg struct{ summary string }
	statusMsg string
)

func newModel(pool Pool, feed *Feed, opts Options) *model {
	return &model{pool: pool, feed: feed, opts: opts, st: newStyles(), begin: time.Now(), width: 80, height: 24}
}

func tick() tea.Cmd {
	return tea.Tick(refreshEvery, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (m *model) Init() tea.Cmd {
	m.refresh(time.Now())
	return tick()
}

func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tickMsg:
		if !m.finished {
			m.refresh(time.Time(msg))
		}
		return m, tick()
	case finishMsg:
		m.refresh(time.Now())
		m.finished, m.summary = true, msg.summary
		if m.stopping { // the user asked to quit: no need to wait for a key
			return m, tea.Quit
		}
	case statusMsg:
		m.status = string(msg)
	case tea.KeyPressMsg:
		return m, m.key(msg.String())
	}
	return m, nil
}

// refresh takes a new snapshot of the run.
func (m *model) refresh(now time.Time) {
	m.now = now
	m.workers = m.pool.Workers()
	m.total = m.pool.Submitted()
	m.paused = m.pool.Paused()
	m.totals = m.feed.totals()
	m.rates.update(now, m.workers)
	m.tp.add(now, m.totals.done+m.totals.failed)
	if len(m.workers) > 0 && m.index() < 0 {
		m.selected = m.workers[0].ID
	}
}

// index is the selected worker's position in the snapshot, or -1.
func (m *model) index() int {
	return slices.IndexFunc(m.workers, func(w supervisor.WorkerInfo) bool { return w.ID == m.selected })
}

// move selects the worker delta rows away, stopping at either end.
func (m *model) move(delta int) {
	if len(m.workers) == 0 {
		return
	}
	i := min(max(m.index()+delta, 0), len(m.workers)-1)
	m.selected = m.workers[i].ID
}
