package tui

import (
	"fmt"

	"github.com/procpool/supervisor/internal/units"
	"github.com/procpool/supervisor/supervisor"
)

// A column of the workers' table. When the terminal is too narrow for all
// of them beside a task column of minTask cells, columns go whole, lowest
// drop first (RST, then FOR, ...); those with drop 0 always stay. The
// task column takes the cells left over.
type column struct {
	title string
	width int // 0 for the task column
	right bool
	drop  int
	cell  func(m *model, w supervisor.WorkerInfo) string
}

// minTask is the narrowest the task column gets while other columns can
// still go: "#123 primes 11258…" says what a worker does.
const minTask = 20

const colTask = 4

var columns = []column{
	{"", 2, false, 0, func(m *model, w supervisor.WorkerInfo) string { return mark(w.ID == m.selected) }},
	{"ID", 3, true, 0, func(_ *model, w supervisor.WorkerInfo) string { return fmt.Sprint(w.ID) }},
	{"PID", 9, false, 3, pidCell},
	{"STATE", 10, false, 0, stateCell},
	{"TASK", 0, false, 0, taskCell},
	{"FOR", 7, true, 2, busyCell},
	{"DONE", 6, true, 8, func(_ *model, w supervisor.WorkerInfo) string { return fmt.Sprint(w.Done) }},
	{"FAIL", 5, true, 5, func(_ *model, w supervisor.WorkerInfo) string { return fmt.Sprint(w.Failed) }},
	{"RST", 4, true, 1, func(_ *model, w supervisor.WorkerInfo) string { return fmt.Sprint(w.Restarts) }},
	{"RSS", 9, true, 6, rssCell},
	{"CPU", 5, true, 7, cpuCell},
	{"TASKS/S", sparkWidth, false, 4, func(m *model, w supervisor.WorkerInfo) string {
		return sparkline(m.rates.hist[w.ID], m.rates.peak(), sparkWidth)
	}},
}

const colRSS = 9

// layout picks the columns that fit width, in order, and the task
// column's width.
func layout(width int) (shown []int, taskW int) {
	most := 0
	for _, c := range columns {
		most = max(most, c.drop)
	}
	for dropped := 0; ; dropped++ {
		shown, used := shown[:0], -1 // n columns, n-1 separators
		for i, c := range columns {
			if c.drop == 0 || c.drop > dropped {
				shown, used = append(shown, i), used+c.width+1
			}
		}
		if taskW = width - used; taskW >= minTask || dropped >= most {
			return shown, max(taskW, 1)
		}
	}
}

// table is the column titles and n worker rows, scrolled to keep the
// selected worker in view. When some workers are not shown, the task
// column's title says which are.
func (m *model) table(n int) []string {
	shown, taskW := layout(m.width)
	all := len(m.snap.Workers)
	first := min(max(m.index()-n+1, 0), max(all-n, 0))
	titles := make([]string, len(columns))
	for i, c := range columns {
		titles[i] = c.title
	}
	if m.threadMode() {
		// A goroutine's memory cannot be told from the process's: what thread
		// mode has instead is goroutines it could not stop.
		titles[colRSS] = "ABANDONED"
	}
	if n < all {
		titles[colTask] = scrollTitle(first, n, all, taskW)
	}
	out := []string{m.st.header.Render(m.cells(shown, taskW, titles))}
	for _, w := range m.snap.Workers[first:min(first+n, all)] {
		out = append(out, m.row(w, shown, taskW))
	}
	return out
}

// scrollTitle says which workers the table shows, "TASK  workers 4–6 of 9
// ↑↓", as briefly as width needs.
func scrollTitle(first, n, all, width int) string {
	for _, s := range []string{
		fmt.Sprintf("TASK   workers %d–%d of %d ↑↓", first+1, first+n, all),
		fmt.Sprintf("TASK  %d–%d of %d ↑↓", first+1, first+n, all),
		fmt.Sprintf("%d–%d/%d↑↓", first+1, first+n, all),
	} {
		if len([]rune(s)) <= width {
			return s
		}
	}
	return fmt.Sprintf("%d/%d", first+n, all)
}

// cells joins a row's cells at the shown columns' widths.
func (m *model) cells(shown []int, taskW int, vals []string) string {
	out := ""
	for k, i := range shown {
		c, w := columns[i], columns[i].width
		if w == 0 {
			w = taskW
		}
		if k > 0 {
			out += " "
		}
		if c.right {
			out += right(vals[i], w)
		} else {
			out += fit(vals[i], w)
		}
	}
	return out
}

func (m *model) row(w supervisor.WorkerInfo, shown []int, taskW int) string {
	vals := make([]string, len(columns))
	for i, c := range columns {
		vals[i] = c.cell(m, w)
	}
	if w.ID == m.selected {
		return m.st.selected.Render(m.cells(shown, taskW, vals))
	}
	if st, ok := m.stateStyle(w); ok {
		vals[3] = st.Render(fit(vals[3], columns[3].width))
	}
	return m.cells(shown, taskW, vals)
}

func mark(selected bool) string {
	if selected {
		return "▶ "
	}
	return "  "
}

func pidCell(m *model, w supervisor.WorkerInfo) string {
	if m.threadMode() {
		return "goroutine"
	}
	return fmt.Sprint(w.PID)
}

// stateCell is the worker's state, or "retiring" once - has retired it.
func stateCell(m *model, w supervisor.WorkerInfo) string {
	if m.retiring[w.ID] && w.State != supervisor.StateStopped {
		return "retiring"
	}
	return w.State.String()
}

func taskCell(_ *model, w supervisor.WorkerInfo) string {
	if w.TaskID == 0 {
		return "-"
	}
	return fmt.Sprintf("#%d %s %s", w.TaskID, w.Task, w.Input)
}

func busyCell(_ *model, w supervisor.WorkerInfo) string {
	if w.TaskID == 0 {
		return ""
	}
	return fmtDur(w.Busy)
}

// rssCell is the worker's memory, or in thread mode the goroutines it has
// left behind.
func rssCell(m *model, w supervisor.WorkerInfo) string {
	switch {
	case m.threadMode():
		return fmt.Sprint(m.snap.Totals.Abandoned[w.ID])
	case w.RSS > 0:
		return units.MiB(w.RSS)
	}
	return "-"
}

func cpuCell(_ *model, w supervisor.WorkerInfo) string {
	if w.RSS > 0 {
		return fmt.Sprintf("%.0f%%", w.CPU)
	}
	return "-"
}
