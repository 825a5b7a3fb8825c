package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// rowOf matches worker id's row at any width (the PID column goes at 80
// columns): the selection mark, the id and the state.
func rowOf(id int) string { return fmt.Sprintf(`(?m)^(▶| ) +%d +(\w+)`, id) }

// headerWords are the words of the screen above the table, figures
// masked: what the header says, however it is wrapped.
func headerWords(screen string) []string {
	head, _, _ := strings.Cut(screen, "\n\n")
	head = regexp.MustCompile(`eta \S+`).ReplaceAllString(head, "eta N") // "-" until a rate is known
	masked := regexp.MustCompile(`(?:[0-9][0-9.]*(?:µs|ms|s|m|h|%)?)+|[█░]+`).ReplaceAllString(head, "N")
	return strings.Fields(masked)
}

// helpWords are the words of the ? overlay, however it is wrapped.
func helpWords(screen string) string {
	_, rest, _ := strings.Cut(screen, "\nkeys\n")
	rest, _, _ = strings.Cut(rest, "\n\n\n")
	return strings.Join(strings.Fields(rest), " ")
}

// columnTitles are the titles of the workers' table.
func columnTitles(screen string) []string {
	m := regexp.MustCompile(`(?m)^ +ID .*$`).FindString(screen)
	return strings.Fields(m)
}

// TestLiveViewAtBothSizes runs one workload in the live view at 120×40 and
// at 80×24 and compares the screens (issue 13: at 80×24 the header was cut
// mid-figure, the CPU title showed "C", TASKS/S vanished, the task column
// was cut first, and the ? overlay was cut mid-word):
//   - the header says the same at both sizes, wrapped at 80;
//   - the table at 80 has a subset of the titles at 120, whole, TASK among
//     them, and every line fits the width;
//   - the ? overlay has the same words at both sizes.
func TestLiveViewAtBothSizes(t *testing.T) {
	type seen struct {
		screen, help string
	}
	got := map[int]seen{}
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		cols, rows := size[0], size[1]
		tm := startTerminalSized(t, cols, rows, "--ui=tui", "--workers=3", "--task=sleep", "--repeat=600", "200ms")
		tm.waitFor(rowOf(3))
		tm.waitFor(`ipc overhead p50 [1-9]`) // the figures are in
		screen := tm.screen()
		tm.press("?")
		tm.waitFor(`(?m)^  \?`)
		got[cols] = seen{screen: screen, help: helpWords(tm.screen())}
		tm.press("?")
		tm.press("q")
		tm.exitCode()
		for i, line := range strings.Split(screen, "\n") {
			if n := len([]rune(strings.TrimRight(line, " "))); n > cols {
				t.Errorf("at %dx%d line %d is %d wide: %q", cols, rows, i, n, line)
			}
		}
	}
	wide, narrow := got[120], got[80]
	if w, n := headerWords(wide.screen), headerWords(narrow.screen); !slices.Equal(w, n) {
		t.Errorf("the header differs:\n120x40: %q\n 80x24: %q\n%s", w, n, narrow.screen)
	}
	wt, nt := columnTitles(wide.screen), columnTitles(narrow.screen)
	for _, title := range nt {
		if !slices.Contains(wt, title) {
			t.Errorf("column title %q at 80 columns is not one of %q (cut?)", title, wt)
		}
	}
	if !slices.Contains(nt, "TASK") || !slices.Contains(nt, "TASKS/S") || !slices.Contains(nt, "CPU") {
		t.Errorf("at 80 columns the table keeps %q; want TASK, CPU and TASKS/S among them", nt)
	}
	if wide.help == "" || wide.help != narrow.help {
		t.Errorf("the help overlay differs:\n120x40: %s\n 80x24: %s", wide.help, narrow.help)
	}
}

// TestLiveViewScrollsAt80x24: with more workers than rows, the table says
// which it shows, and End brings the last into view.
func TestLiveViewScrollsAt80x24(t *testing.T) {
	tm := startTerminalSized(t, 80, 24, "--ui=tui", "--mode=thread", "--workers=20", "--task=sleep", "--repeat=2000", "300ms")
	first := tm.waitFor(`1–(\d+) of 20 ↑↓`)
	if first[1] == "20" {
		t.Fatalf("20 workers fit at 80x24?\n%s", tm.screen())
	}
	tm.press("\x1b[F") // End
	tm.waitFor(`\d+–20 of 20 ↑↓`)
	tm.waitFor(`(?m)^▶ +20 `)
	tm.press("q")
	tm.exitCode()
}

// TestLiveViewRetireAndCancel: after -, the header stops counting the
// worker at once; c adds an event line (issue 13: it added none).
func TestLiveViewRetireAndCancel(t *testing.T) {
	tm := startTerminalSized(t, 80, 24, "--ui=tui", "--workers=3", "--spares=0", "--task=sleep", "--repeat=600", "400ms")
	tm.waitFor(rowOf(3))
	tm.waitFor(`· 3 workers ·`)
	tm.press("-") // worker 1, selected: "2 workers" at once ("1 retiring" too, until its task ends)
	tm.waitFor(`· 2 workers ·`)
	tm.press(keyDown)
	tm.waitFor(`(?m)^▶ +2 +busy`)
	tm.press("c")
	tm.waitFor(`worker 2: task \d+ \(sleep\) cancelled on request`)
	tm.press("q")
	tm.exitCode()
}
