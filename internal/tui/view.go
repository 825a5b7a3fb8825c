package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// The screen, top to bottom: the header (wrapped to the width), a blank
// line, the body (the workers' table, a blank line and the events pane;
// or the help overlay) and the footer (the last action's outcome and the
// keys). Nothing is cut silently: the header and the help wrap, columns
// drop whole, and rows that do not fit scroll, with the table saying which
// are shown.
const (
	minPane = 4 // the events pane's title and three lines, when there is room
	minRows = 3 // worker rows the table keeps before the pane gets any
)

func (m *model) View() tea.View {
	header, footer := m.header(), m.footer()
	lines := append(header, "")
	n := m.bodyHeight(header, footer)
	if m.showHelp {
		lines = append(lines, m.helpLines(n)...)
	} else {
		lines = append(lines, m.body(n)...)
	}
	for len(lines) < m.height-len(footer) { // the footer goes at the bottom
		lines = append(lines, "")
	}
	lines = append(lines, footer...)
	lines = lines[:min(len(lines), max(m.height, 1))]
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, m.width, "")
	}
	v := tea.NewView(strings.Join(lines, "\n"))
	v.AltScreen = true
	v.WindowTitle = "supervisor: " + m.phase()
	return v
}

// bodyHeight is what the header, its blank line and the footer leave.
func (m *model) bodyHeight(header, footer []string) int {
	return max(m.height-len(header)-1-len(footer), 0)
}

// body is the table and, below it, the events pane.
func (m *model) body(n int) []string {
	out := m.table(m.rowsFor(n))
	out = out[:min(len(out), n)]
	if rest := n - len(out) - 1; rest > 0 {
		out = append(out, "")
		out = append(out, m.pane(rest)...)
	}
	return out
}

// rowsFor is how many worker rows a body of n lines shows: every worker
// when they fit beside an events pane of minPane lines; otherwise the pane
// gives way until minRows rows are shown, and the rest scroll.
func (m *model) rowsFor(n int) int {
	room := n - 1 // the column titles
	reserve := min(1+minPane, max(room-minRows, 0))
	return max(min(len(m.snap.Workers), room-reserve), 0)
}

// tableRows is how many worker rows the screen shows now.
func (m *model) tableRows() int {
	return m.rowsFor(m.bodyHeight(m.header(), m.footer()))
}

// pane fills n lines with the summary, once the run has finished, and the
// events.
func (m *model) pane(n int) []string {
	var out []string
	if m.finished {
		out = append(out, m.st.bold.Render("run finished"))
		for _, l := range strings.Split(strings.TrimRight(m.summary, "\n"), "\n") {
			out = append(out, strings.Split(ansi.Wrap(l, max(m.width, 20), ""), "\n")...)
		}
		out = append(out, "")
	}
	out = append(out, m.st.bold.Render("events"))
	room := max(n-len(out), 0)
	events := m.eventLines(room)
	out = append(out, events[max(len(events)-room, 0):]...)
	return out[:min(len(out), max(n, 0))]
}

// eventLines are the last events, n lines at most, wrapped to the width
// under their time stamps.
func (m *model) eventLines(n int) []string {
	const stamp = "15:04:05.000"
	indent := strings.Repeat(" ", len(stamp)+1)
	var out []string
	for _, l := range m.events[max(len(m.events)-n, 0):] {
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

// footer is the last action's outcome (wrapped, two lines at most) and
// the keys.
func (m *model) footer() []string {
	var out []string
	if m.status != "" {
		status := strings.Split(ansi.Wrap(m.status, max(m.width, 1), ""), "\n")
		out = append(out, status[:min(len(status), 2)]...)
	} else {
		out = append(out, "")
	}
	if m.finished {
		return append(out, m.st.bold.Render("press any key to leave"))
	}
	return append(out, m.help.ShortHelpView(m.keys.ShortHelp()))
}
