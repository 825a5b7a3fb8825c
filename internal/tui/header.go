package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// header is the run's title line and its progress, each wrapped between
// its parts to the width: a figure is never cut.
func (m *model) header() []string {
	return append(flow(m.titleParts(), " · ", m.width), flow(m.progressParts(), "  ", m.width)...)
}

// phase is what the run is doing, in a word.
func (m *model) phase() string {
	switch {
	case m.finished:
		return "finished"
	case m.stopping:
		return "stopping"
	case m.snap.Paused:
		return "paused"
	}
	return "running"
}

func (m *model) titleParts() []string {
	mode := m.snap.Mode.String() + " mode"
	if m.snap.IPC != "" {
		mode += ", data path " + m.snap.IPC
	}
	phase := m.st.bold.Render(m.phase())
	if m.snap.Paused || m.stopping {
		phase = m.st.warn.Render(m.phase())
	}
	elapsed := time.Duration(0)
	if !m.snap.Began.IsZero() {
		elapsed = m.now.Sub(m.snap.Began).Truncate(100 * time.Millisecond)
	}
	parts := []string{m.st.title.Render("supervisor") + "  " + mode,
		plural(len(m.snap.Workers)-len(m.retiring), "worker"), phase, fmtDur(elapsed)}
	if n := len(m.retiring); n > 0 {
		parts = append(parts, fmt.Sprintf("%d retiring", n))
	}
	if t := m.snap.Totals; t.Failed > 0 {
		parts = append(parts, m.st.warn.Render(fmt.Sprintf("%d failed", t.Failed)))
	}
	if n := sum(m.snap.Totals.Abandoned); n > 0 {
		parts = append(parts, m.st.warn.Render(plural(n, "goroutine")+" abandoned, still running"))
	}
	return parts
}

func (m *model) progressParts() []string {
	t := m.snap.Totals
	finished, total := t.Done+t.Failed, m.snap.Submitted
	pct := 0
	if total > 0 {
		pct = finished * 100 / total
	}
	rate, eta := m.tp.rate(), "-"
	if rate > 0 && !m.finished {
		eta = fmtDur(time.Duration(float64(total-finished) / rate * float64(time.Second)))
	}
	barW := min(24, max(m.width/5, 8))
	return []string{
		fmt.Sprintf("%s %d/%d %d%%", m.st.bar.Render(bar(finished, total, barW)), finished, total, pct),
		fmt.Sprintf("rate %.1f/s", rate), "eta " + eta,
		fmt.Sprintf("ipc overhead p50 %s p99 %s", fmtDur(t.P50), fmtDur(t.P99)),
	}
}

// flow lays parts out on lines of at most width cells, joined by sep,
// starting a new line rather than cutting a part. A part wider than a
// whole line is cut, marked with "…".
func flow(parts []string, sep string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, p := range parts {
		p = ansi.Truncate(p, max(width, 1), "…")
		switch {
		case cur.Len() == 0:
		case ansi.StringWidth(cur.String())+ansi.StringWidth(sep)+ansi.StringWidth(p) <= width:
			cur.WriteString(sep)
		default:
			lines = append(lines, cur.String())
			cur.Reset()
		}
		cur.WriteString(p)
	}
	return append(lines, cur.String())
}

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
