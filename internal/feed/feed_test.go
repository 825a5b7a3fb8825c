package feed

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

func TestFeedCountsResultsAndKeepsLines(t *testing.T) {
	f := New()
	f.Event(supervisor.WorkerStarted{Worker: 1, PID: 9, Startup: time.Millisecond})
	f.Event(supervisor.TaskFinished{Result: supervisor.Result{Status: supervisor.StatusOK, Task: worker.Task{Name: "echo"},
		Exec: time.Millisecond, RoundTrip: time.Millisecond + 100*time.Microsecond}})
	f.Event(supervisor.TaskFinished{Result: supervisor.Result{Status: supervisor.StatusFailed, Err: errors.New("x")}})
	f.Log("level=WARN msg=hello")
	f.Note("worker 1: task 3 (sleep) cancelled on request")
	f.Event(supervisor.GoroutineAbandoned{Worker: 2, TaskID: 4, Task: "hang"})
	tot := f.Totals()
	if tot.Done != 1 || tot.Failed != 1 || tot.Abandoned[2] != 1 {
		t.Errorf("totals %+v, want 1 done, 1 failed, 1 abandoned on worker 2", tot)
	}
	if d := tot.P50 - 100*time.Microsecond; d < -4*time.Microsecond || d > 4*time.Microsecond {
		t.Errorf("overhead p50 %s, want about 100µs", tot.P50)
	}
	lines := f.After(0)
	if len(lines) != 4 || !strings.Contains(lines[0].Text, "worker 1 started") || !lines[1].Log ||
		!strings.Contains(lines[2].Text, "cancelled on request") || lines[2].Log {
		t.Errorf("lines %+v: want the start event, the log line, the note and the abandon, not the results", lines)
	}
	for i, l := range lines {
		if l.Seq != uint64(i+1) {
			t.Errorf("line %d has seq %d, want %d", i, l.Seq, i+1)
		}
	}
	if after := f.After(2); len(after) != 2 || after[0].Seq != 3 {
		t.Errorf("After(2) = %+v, want lines 3 and 4", after)
	}
	if logs := f.Logs(); len(logs) != 1 {
		t.Errorf("logs %q", logs)
	}
}

func TestFeedKeepsTheLastLines(t *testing.T) {
	f := New()
	for range Keep + 10 {
		f.Note("x")
	}
	lines := f.After(0)
	if len(lines) != Keep || lines[0].Seq != 11 || lines[Keep-1].Seq != Keep+10 {
		t.Errorf("kept %d lines, seq %d to %d; want the last %d", len(lines), lines[0].Seq, lines[len(lines)-1].Seq, Keep)
	}
	if got := f.After(Keep + 10); len(got) != 0 {
		t.Errorf("After(last) = %d lines, want none", len(got))
	}
}

func TestQuantile(t *testing.T) {
	var h logHist
	if h.quantile(0.5) != 0 {
		t.Error("empty histogram: want 0")
	}
	for i := 1; i <= 1000; i++ {
		h.add(time.Duration(i) * time.Microsecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.99, 990 * time.Microsecond}, {1, time.Millisecond}} {
		got := h.quantile(tc.q)
		if math.Abs(float64(got-tc.want))/float64(tc.want) > 0.04 {
			t.Errorf("quantile(%v) = %s, want %s within 4%%", tc.q, got, tc.want)
		}
	}
}
