package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestColumnsDropByPriority: a narrow terminal loses whole columns, the
// least useful first, and keeps the task column at least minTask wide.
func TestColumnsDropByPriority(t *testing.T) {
	for _, tc := range []struct {
		width int
		want  string
	}{
		{120, " ID PID STATE TASK FOR DONE FAIL RST RSS CPU TASKS/S"},
		{100, " ID PID STATE TASK FOR DONE FAIL RSS CPU TASKS/S"},
		{80, " ID STATE TASK DONE FAIL RSS CPU TASKS/S"},
		{50, " ID STATE TASK DONE"},
	} {
		shown, taskW := layout(tc.width)
		var titles []string
		used := -1
		for _, i := range shown {
			titles = append(titles, columns[i].title)
			used += columns[i].width + 1
		}
		if got := strings.Join(titles, " "); got != tc.want {
			t.Errorf("at %d columns: %q, want %q", tc.width, got, tc.want)
		}
		if taskW < minTask || used+taskW != tc.width {
			t.Errorf("at %d columns: task column %d wide, row %d wide", tc.width, taskW, used+taskW)
		}
	}
}

// TestHeaderWrapsRatherThanCuts: at 80 and 50 columns every part of the
// header is on the screen whole (issue 13: it was cut mid-figure).
func TestHeaderWrapsRatherThanCuts(t *testing.T) {
	pool := newFake()
	pool.totals.Failed = 3
	for _, w := range []int{120, 80, 50} {
		m := startedSized(pool, true, w, 24)
		s := screen(m)
		for _, part := range append(m.titleParts(), m.progressParts()...) {
			if !strings.Contains(s, ansi.Strip(part)) {
				t.Errorf("at %d columns the header lacks %q whole:\n%s", w, ansi.Strip(part), s)
			}
		}
		for _, line := range strings.Split(s, "\n") {
			if ansi.StringWidth(line) > w {
				t.Errorf("at %d columns a line is %d wide: %q", w, ansi.StringWidth(line), line)
			}
		}
	}
}

// TestEveryWorkerStaysReachable: with more workers than rows, the table
// scrolls with the selection, says which workers it shows, and every
// worker can be brought into view (issue 13: at 50×12 one was silently
// hidden).
func TestEveryWorkerStaysReachable(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {50, 12}} {
		const n = 30
		m := startedSized(manyWorkers(n), true, size[0], size[1])
		seen := map[int]bool{}
		for range n {
			s := screen(m)
			if !regexp.MustCompile(`\d+–\d+ of 30|\d+–\d+/30`).MatchString(s) {
				t.Fatalf("at %dx%d the table does not say which workers it shows:\n%s", size[0], size[1], s)
			}
			for _, id := range rowIDs(s) {
				seen[id] = true
			}
			send(t, m, press("down"))
		}
		if len(seen) != n {
			t.Errorf("at %dx%d, scrolling showed %d of %d workers", size[0], size[1], len(seen), n)
		}
		if got := strings.Count(screen(m), "\n") + 1; got != size[1] {
			t.Errorf("at %dx%d the screen has %d lines", size[0], size[1], got)
		}
	}
}

// TestSmallScreenShowsEveryWorkerThatFits: at 50×12 with three workers,
// all three rows are on the screen.
func TestSmallScreenShowsEveryWorkerThatFits(t *testing.T) {
	m := startedSized(manyWorkers(3), true, 50, 12)
	if ids := rowIDs(screen(m)); len(ids) != 3 {
		t.Errorf("rows for workers %v at 50x12, want all 3:\n%s", ids, screen(m))
	}
}

func rowIDs(screen string) []int {
	var ids []int
	for _, m := range regexp.MustCompile(`(?m)^(?:▶| ) +(\d+) `).FindAllStringSubmatch(screen, -1) {
		var id int
		fmt.Sscan(m[1], &id)
		ids = append(ids, id)
	}
	return ids
}

// TestHelpOverlayIsUncut: at 80×24 every explanation of the ? overlay is
// on the screen in full, wrapped between words (issue 13: cut mid-word at
// 80 columns); at 50×12 it scrolls and says so.
func TestHelpOverlayIsUncut(t *testing.T) {
	m := startedSized(newFake(), true, 80, 24)
	send(t, m, press("?"))
	s := screen(m)
	words := strings.Join(strings.Fields(s), " ")
	for _, long := range m.keys.long {
		if !strings.Contains(words, long) {
			t.Errorf("the help at 80x24 lacks %q in full:\n%s", long, s)
		}
	}
	small := startedSized(newFake(), true, 50, 12)
	send(t, small, press("?"))
	var all string
	for range 30 {
		all += screen(small) + "\n"
		send(t, small, press("down"))
	}
	if !strings.Contains(all, "more below") {
		t.Errorf("at 50x12 the help does not say it scrolls:\n%s", screen(small))
	}
	words = strings.Join(strings.Fields(all), " ")
	for _, long := range small.keys.long {
		for _, w := range strings.Fields(long) {
			if !strings.Contains(words, w) {
				t.Errorf("scrolling the help at 50x12 never shows %q", w)
			}
		}
	}
}

func TestFlow(t *testing.T) {
	got := flow([]string{"aaaa", "bbbb", "cc"}, " · ", 11)
	want := []string{"aaaa · bbbb", "cc"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("flow = %q, want %q", got, want)
	}
	if got := flow([]string{"a very long part"}, " ", 6); got[0] != "a ver…" {
		t.Errorf("a part wider than the line: %q", got)
	}
}
