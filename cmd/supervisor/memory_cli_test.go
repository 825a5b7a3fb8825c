package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// Issue 12: the command kept every task and every result until the
// summary (1 GiB of peak RSS for a million tasks). It streams them now:
// TestMemoryFlatInTaskCount runs 300000 tasks with --json and reads the
// supervisor's own peak RSS from the summary: it must stay under the
// issue's 150 MiB (it was over 400 MiB for as many tasks before).
func TestMemoryFlatInTaskCount(t *testing.T) {
	if testing.Short() {
		t.Skip("300000 tasks")
	}
	const n, limit = 300000, 150 << 20
	var last lastLine
	cmd := exec.Command(binary, "--mode=thread", "--task=echo", "--repeat=300000", "--json", "x")
	cmd.Stdout = &last
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("300000 echo tasks did not finish in 5 minutes")
	}
	var sum summary
	if err := json.Unmarshal(last.line(), &sum); err != nil || sum.Type != "summary" {
		t.Fatalf("the last line is not the summary: %q: %v", last.line(), err)
	}
	if sum.Tasks != n || sum.OK != n {
		t.Errorf("summary: %d tasks, %d ok; want %d", sum.Tasks, sum.OK, n)
	}
	if rss := sum.PeakRSS.SupervisorBytes; rss <= 0 || rss > limit {
		t.Errorf("peak RSS %d MiB for %d tasks; want under %d MiB", rss>>20, n, limit>>20)
	}
}

// lastLine keeps the last complete line written to it, and nothing else.
type lastLine struct {
	mu      sync.Mutex
	partial []byte
	last    []byte
}

func (l *lastLine) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	if i := bytes.LastIndexByte(l.partial, '\n'); i >= 0 {
		lines := bytes.Split(l.partial[:i], []byte("\n"))
		l.last = append(l.last[:0], lines[len(lines)-1]...)
		l.partial = append(l.partial[:0], l.partial[i+1:]...)
	}
	return len(p), nil
}

func (l *lastLine) line() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.last)
}
