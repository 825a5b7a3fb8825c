package main

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
)

// TestWorkerLogLinesArriveTagged: a worker logs to its stderr; the
// supervisor forwards each line into its own log, tagged with the worker's
// id and PID, in the format asked for.
func TestWorkerLogLinesArriveTagged(t *testing.T) {
	r, tasks, _ := jsonRun(t, "--log-level=debug", "--log-format=json", "--workers=1", "--spares=0", "--task=sleep", "1ms")
	if r.code != 0 || len(tasks) != 1 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	pid := tasks[0].PID
	found := false
	sc := bufio.NewScanner(strings.NewReader(r.stderr))
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), "{") {
			continue // the supervisor's own announcements
		}
		var entry struct {
			Level, Msg  string
			Worker, PID int
		}
		if err := json.Unmarshal(sc.Bytes(), &entry); err != nil {
			t.Fatalf("not a JSON log line: %q", sc.Text())
		}
		// "plugin address" is written by the worker process itself, on its
		// stderr, as go-plugin's server starts.
		if entry.Msg == "plugin address" {
			found = true
			if entry.Worker != 1 || entry.PID != pid || entry.Level != "DEBUG" {
				t.Errorf("worker line tagged worker=%d pid=%d level=%s, want worker=1 pid=%d DEBUG: %s",
					entry.Worker, entry.PID, entry.Level, pid, sc.Text())
			}
		}
	}
	if !found {
		t.Errorf("no line from the worker in the log:\n%s", r.stderr)
	}
}

// TestGoPluginChatterStaysAtDebug: go-plugin logs every worker death at
// ERROR; the supervisor reports deaths itself, so that noise is debug only.
func TestGoPluginChatterStaysAtDebug(t *testing.T) {
	r := runCLI(t, "--log-level=info", "--workers=1", "--task=sleep", "--add=segv", "1ms", "1ms")
	if !strings.Contains(r.stderr, "killed by SIGSEGV") {
		t.Fatalf("the death is not reported; stderr:\n%s", r.stderr)
	}
	for _, noise := range []string{"plugin process exited", "level=ERROR", "level=INFO msg=\"plugin"} {
		if strings.Contains(r.stderr, noise) {
			t.Errorf("go-plugin's chatter %q above debug:\n%s", noise, r.stderr)
		}
	}
}
