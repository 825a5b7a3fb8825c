package main

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// workerRow matches worker id's row on the live view: the selection mark,
// id, PID and state.
func workerRow(id int) string {
	return fmt.Sprintf(`(?m)^(▶?)\s+%d (\d+|goroutine)\s+(\w+)`, id)
}

// TestLiveViewKillsAWorker drives the live view as a user would: select
// worker 2, press k, see its process gone and a new PID in its row, and
// the run still ending with every task reported.
func TestLiveViewKillsAWorker(t *testing.T) {
	const tasks = 40
	tm := startTerminal(t, "--ui=tui", "--workers=2", "--task=sleep", "--repeat="+strconv.Itoa(tasks), "150ms")
	tm.waitFor(workerRow(2)) // data, not just the header: keys need rows to act on
	tm.press(keyDown)
	row := tm.waitFor(`(?m)^▶\s+2 (\d+)\s`)
	old, _ := strconv.Atoi(row[1])

	tm.press("k")
	var replacement int
	tm.waitUntil("worker 2's row to show a new PID", func(screen string) bool {
		m := regexp.MustCompile(workerRow(2)).FindStringSubmatch(screen)
		if m == nil {
			return false
		}
		replacement, _ = strconv.Atoi(m[2])
		return replacement != old
	})
	if err := syscall.Kill(old, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("kill(%d, 0) after the replacement started: %v, want ESRCH", old, err)
	}
	tm.waitFor(fmt.Sprintf(`worker 2 \(pid %d\) killed by SIGKILL`, old))

	tm.waitFor(fmt.Sprintf(`tasks\s+%d: %d ok, 0 failed`, tasks, tasks)) // the final screen
	tm.waitFor(`press any key to leave`)
	tm.press("x")
	if code := tm.exitCode(); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	// The view gave the terminal back and printed the summary on it.
	if screen := tm.screen(); !strings.Contains(screen, fmt.Sprintf("%d: %d ok", tasks, tasks)) ||
		strings.Contains(screen, "press any key") {
		t.Errorf("after the view, the terminal shows:\n%s", screen)
	}
}

// TestLiveViewKeepsLogsInThePane: stderr logs written while the view owns
// the terminal go to its events pane, not over the screen, and are printed
// on stderr once the view has gone.
func TestLiveViewKeepsLogsInThePane(t *testing.T) {
	tm := startTerminal(t, "--ui=tui", "--log-level=debug", "--workers=2", "--task=sleep", "--repeat=200", "50ms")
	tm.waitFor(`msg="plugin address" worker=\d+ pid=\d+`)
	tm.waitFor(workerRow(2))
	if first, _, _ := strings.Cut(tm.screen(), "\n"); !strings.HasPrefix(first, "supervisor  process mode") {
		t.Errorf("a log line took the header's place:\n%s", tm.screen())
	}
	tm.press("q")
	tm.exitCode()
	if screen := tm.screen(); !strings.Contains(screen, "tasks          200:") || !strings.Contains(screen, "level=DEBUG") {
		t.Errorf("after the view: want the logs and the summary on the terminal:\n%s", screen)
	}
}
