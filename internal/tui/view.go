package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/procpool/supervisor/internal/units"
	"github.com/procpool/supervisor/supervisor"
)

// The screen, top to bottom: a two-line header, the workers' table, a pane
// (events, help or the final summary) and a two-line footer.
const (
	headerLines = 3 // with the blank line under it
	footerLines = 2
	minPane     = 4
)

func (m *model) View() tea.View {
	var lines []string
	lines = append(lines, m.header()...)
	rows := min(len(m.workers), max(m.height-headerLines-footerLines-minPane-3, 1))
	lines = append(lines, m.table(rows)...)
	lines = append(lines, "")
	pane := m.pane(m.height - len(lines) - footerLines)
	for len(pane) < m.height-len(lines)-footerLines { // the footer goes at the bottom
		pane = append(pane, "")
	}
	lines = append(lines, pane...)
	lines = append(lines, m.footer()...)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, m.width, "")
	}
	v := tea.NewView(strings.Join(lines, "\n"))
	v.AltScreen = true
	v.WindowTitle = "supervisor: " + m.phase()
	return v
}

// phase is what the run is doing, in a word.
func (m *model) phase() string {
	switch {
	case m.finished:
		return "finished"
	case m.stopping:
		return "stopping"
	case m.paused:
		return "paused"
	}
	return "running"
}

func (m *model) header() []string {
	mode := m.opts.Mode.String() + " mode"
	if m.opts.IPC != "" {
		mode += ", data path " + m.opts.IPC
	}
	phase := m.st.bold.Render(m.phase())
	if m.paused || m.stopping {
		phase = m.st.warn.Render(m.phase())
	}
	title := fmt.Sprintf("%s  %s · %s · %s · %s", m.st.title.Render("supervisor"), mode,
		plural(len(m.workers), "worker"), phase, fmtDur(m.now.Sub(m.begin).Truncate(100*time.Millisecond)))
	if t := m.totals; t.failed > 0 {
		title += " · " + m.st.warn.Render(fmt.Sprintf("%d failed", t.failed))
	}
	if n := sum(m.totals.abandoned); n > 0 {
		title += " · " + m.st.warn.Render(plural(n, "goroutine")+" abandoned, still running")
	}
	return []string{title, m.progress(), ""}
}

func (m *model) progress() string {
	t := m.totals
	finished := t.done + t.failed
	pct := 0
	if m.total > 0 {
		pct = finished * 100 / m.total
	}
	rate, eta := m.tp.rate(), "-"
	if rate > 0 && !m.finished {
		eta = fmtDur(time.Duration(float64(m.total-finished) / rate * float64(time.Second)))
	}
	return fmt.Sprintf("%s %d/%d %d%%  rate %.1f/s  eta %s  ·  ipc overhead p50 %s p99 %s",
		m.st.bar.Render(bar(finished, m.total, 24)), finished, m.total, pct, rate, eta, fmtDur(t.p50), fmtDur(t.p99))
}

// Columns of the table, in cells; the task column takes what is left.
var columns = [...]struct {
	title string
	width int
	right bool
}{{"", 2, false}, {"ID", 3, true}, {"PID", 9, false}, {"STATE", 10, false}, {"TASK", 0, false},
	{"FOR", 7, true}, {"DONE", 6, true}, {"FAIL", 5, true}, {"RST", 4, true}, {"RSS", 9, true},
	{"CPU", 5, true}, {"TASKS/S", sparkWidth, false}}

const colRSS = 9

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func sum(m map[int]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func (m *model) taskWidth() int {
	used := 0
	for _, c := range columns {
		used += c.width + 1
	}
	return max(m.width-used, 12)
}

// cells joins a row's cells at the columns' widths.
func (m *model) cells(vals []string) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		w := columns[i].width
		if w == 0 {
			w = m.taskWidth()
		}
		if columns[i].right {
			parts[i] = right(v, w)
		} else {
			parts[i] = fit(v, w)
		}
	}
	return strings.Join(parts, " ")
}

// table is the header and up to n worker rows, scrolled to keep the
// selected worker in view.
func (m *model) table(n int) []string {
	titles := make([]string, len(columns))
	for i, c := range columns {
		titles[i] = c.title
	}
	if m.opts.Mode == supervisor.ModeThread {
		// A goroutine's memory cannot be told from the process's: what thread
		// mode has instead is goroutines it could not stop.
		titles[colRSS] = "ABANDONED"
	}
	out := []string{m.st.header.Render(m.cells(titles))}
	first := min(max(m.index()-n+1, 0), max(len(m.workers)-n, 0))
	for _, w := range m.workers[first:min(first+n, len(m.workers))] {
		out = append(out, m.row(w))
	}
	return out
}

func (m *model) row(w supervisor.WorkerInfo) string {
	sel := w.ID == m.selected
	mark, pid, task, busy, rss, cpu := "  ", fmt.Sprint(w.PID), "-", "", "-", "-"
	if sel {
		mark = "▶ "
	}
	if m.opts.Mode == supervisor.ModeThread {
		pid = "goroutine"
	}
	if w.TaskID != 0 {
		task = fmt.Sprintf("#%d %s %s", w.TaskID, w.Task, w.Input)
		busy = fmtDur(w.Busy)
	}
	if w.RSS > 0 {
		rss, cpu = units.MiB(w.RSS), fmt.Sprintf("%.0f%%", w.CPU)
	}
	if m.opts.Mode == supervisor.ModeThread {
		rss = fmt.Sprint(m.totals.abandoned[w.ID])
	}
	vals := []string{mark, fmt.Sprint(w.ID), pid, w.State.String(), task, busy, fmt.Sprint(w.Done),
		fmt.Sprint(w.Failed), fmt.Sprint(w.Restarts), rss, cpu, sparkline(m.rates.hist[w.ID], m.rates.peak(), sparkWidth)}
	if sel {
		return m.st.selected.Render(m.cells(vals))
	}
	if st, ok := m.st.state[w.State]; ok {
		vals[3] = st.Render(fit(vals[3], columns[3].width))
	}
	return m.cells(vals)
}

// pane fills n lines with the help, or the summary and the events.
func (m *model) pane(n int) []string {
	var out []string
	if m.help {
		out = append(out, m.st.bold.Render("keys"))
		out = append(out, helpText...)
		return out[:min(len(out), max(n, 0))]
	}
	if m.finished {
		out = append(out, m.st.bold.Render("run finished"))
		out = append(out, strings.Split(strings.TrimRight(m.summary, "\n"), "\n")...)
		out = append(out, "")
	}
	out = append(out, m.st.bold.Render("events"))
	room := max(n-len(out), 0)
	events := m.events(room)
	out = append(out, events[max(len(events)-room, 0):]...)
	return out[:min(len(out), max(n, 0))]
}

// events are the last events, n of them at most, wrapped to the width
// under their time stamps.
func (m *model) events(n int) []string {
	const stamp = "15:04:05.000"
	indent := strings.Repeat(" ", len(stamp)+1)
	var out []string
	for _, l := range m.feed.recent(n) {
		text := ansi.Wrap(l.Text, max(m.width-len(indent), 20), "")
		if l.Log {
			text = m.st.dim.Render(text)
		}
		for i, part := range strings.Split(text, "\n") {
			prefix := indent
			if i == 0 {
				prefix = m.st.dim.Render(l.At.Format(stamp)) + " "
			}
			out = append(out, prefix+part)
		}
	}
	return out
}

var helpText = []string{
	"  ↑/↓    select a worker",
	"  k      kill the selected worker: SIGKILL to its process group (thread mode: cancel its task,",
	"         since a goroutine cannot be killed; the events say whether it stopped)",
	"  t      terminate it: SIGTERM",
	"  c      cancel its current task",
	"  + / -  add a worker / retire the selected one once its tasks are done",
	"  p      pause or resume handing out tasks",
	"  q      stop the run gently (running tasks are cancelled); q again forces the workers down",
	"  ?      this help; esc or ? closes it",
}

func (m *model) footer() []string {
	keys := m.st.dim.Render("↑↓ select  k kill  t term  c cancel  +/- worker  p pause  q quit  ? help")
	if m.finished {
		keys = m.st.bold.Render("press any key to leave")
	}
	return []string{m.status, keys}
}
