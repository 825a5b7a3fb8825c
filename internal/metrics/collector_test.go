package metrics

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/prometheus/common/expfmt"

	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

type fakeSource struct{ workers []supervisor.WorkerInfo }

func (f fakeSource) Workers() []supervisor.WorkerInfo { return f.workers }
func (f fakeSource) Queued() int                      { return 3 }

// feed gives the collector one event of each kind it counts.
func feed(c *Collector) {
	ok := supervisor.Result{Status: supervisor.StatusOK, Task: worker.Task{Name: "sleep"},
		Exec: 10 * time.Millisecond, RoundTrip: 10*time.Millisecond + 80*time.Microsecond}
	failed := supervisor.Result{Status: supervisor.StatusDied, Task: worker.Task{Name: "segv"}, Err: errors.New("died")}
	for _, e := range []supervisor.Event{
		supervisor.WorkerStarted{Worker: 1, PID: 10, Startup: 3 * time.Millisecond},
		supervisor.WorkerStarted{Worker: 2, PID: 11, Startup: 3 * time.Millisecond},
		supervisor.TaskFinished{Result: ok},
		supervisor.TaskFinished{Result: ok},
		supervisor.TaskFinished{Result: failed},
		supervisor.WorkerKilled{Worker: 1, PID: 10, Signal: "SIGKILL"},
		supervisor.WorkerExited{Worker: 1, PID: 10, Reason: "killed by SIGKILL", Planned: true},
		supervisor.WorkerExited{Worker: 2, PID: 11, Reason: "exited with status 2: panic: crash"},
		supervisor.WorkerStarted{Worker: 1, PID: 12, Startup: 3 * time.Millisecond, Replacing: true},
		supervisor.TaskRetried{TaskID: 3, Task: "segv", Attempt: 2},
		supervisor.GoroutineAbandoned{Worker: 2},
		supervisor.WorkerExited{Worker: 2, PID: 11, Reason: "stopped", Cause: supervisor.CauseStopping, Planned: true},
	} {
		c.Observe(e)
	}
}

func TestCollectorCounts(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	c := New(reg, supervisor.ModeProcess)
	feed(c)
	c.Watch(fakeSource{workers: []supervisor.WorkerInfo{
		{ID: 1, State: supervisor.StateBusy, RSS: 12 << 20},
		{ID: 2, State: supervisor.StateIdle, RSS: 11 << 20},
	}})
	for _, tc := range []struct {
		name string
		c    prometheus.Collector
		want float64
	}{
		{"ok sleep", c.tasks.WithLabelValues("ok", "sleep"), 2},
		{"died segv", c.tasks.WithLabelValues("died", "segv"), 1},
		{"starts", c.starts, 3},
		{"restarts", c.restarts, 1},
		{"retries", c.retries, 1},
		{"abandoned", c.abandoned, 1},
		{"killed SIGKILL", c.deaths.WithLabelValues("SIGKILL", "true"), 1},
		{"exit 2", c.deaths.WithLabelValues("exit 2", "false"), 1},
		{"kills", c.kills.WithLabelValues("SIGKILL"), 1},
	} {
		if got := testutil.ToFloat64(tc.c); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
		}
	}
	// The exit at shutdown is not a death.
	if n := testutil.CollectAndCount(c.deaths); n != 2 {
		t.Errorf("%d death series, want 2 (the stop at shutdown is not one)", n)
	}
	want := `
# HELP supervisor_workers Workers by state: starting, idle, busy, dead, restarting, abandoned, stopped.
# TYPE supervisor_workers gauge
supervisor_workers{state="abandoned"} 0
supervisor_workers{state="busy"} 1
supervisor_workers{state="dead"} 0
supervisor_workers{state="idle"} 1
supervisor_workers{state="restarting"} 0
supervisor_workers{state="starting"} 0
supervisor_workers{state="stopped"} 0
# HELP supervisor_worker_resident_memory_bytes Resident memory of each worker process (process mode; sampled every 200ms).
# TYPE supervisor_worker_resident_memory_bytes gauge
supervisor_worker_resident_memory_bytes{worker="1"} 1.2582912e+07
supervisor_worker_resident_memory_bytes{worker="2"} 1.1534336e+07
# HELP supervisor_tasks_queued Tasks waiting for a worker.
# TYPE supervisor_tasks_queued gauge
supervisor_tasks_queued 3
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"supervisor_workers", "supervisor_worker_resident_memory_bytes", "supervisor_tasks_queued"); err != nil {
		t.Error(err)
	}
}

// TestCollectorLint lints the exposition text, as Prometheus's promtool
// does: gathering alone misses an empty help text.
func TestCollectorLint(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	c := New(reg, supervisor.ModeThread)
	feed(c)
	c.Watch(fakeSource{workers: []supervisor.WorkerInfo{{ID: 1, State: supervisor.StateAbandoned}}})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	enc := expfmt.NewEncoder(&text, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	problems, err := promlint.New(&text).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}

func TestGaugesBeforeWatch(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	New(reg, supervisor.ModeProcess)
	if n, err := testutil.GatherAndCount(reg, "supervisor_workers"); err != nil || n != 0 {
		t.Errorf("before Watch: %d worker series, err %v; want none", n, err)
	}
}

func TestDeathReason(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"killed by SIGKILL", "SIGKILL"},
		{"killed by SIGSEGV: fatal error: unexpected signal", "SIGSEGV"},
		{"exited with status 2: panic: crash", "exit 2"},
		{"stopped", "stopped"},
		{"stop: goroutine abandoned: the task ignored cancellation", "abandoned"},
		{"something new", "other"},
	} {
		if got := deathReason(tc.in); got != tc.want {
			t.Errorf("deathReason(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDecades(t *testing.T) {
	got := decades(-6, -4)
	want := []float64{1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4}
	if !slices.Equal(got, want) {
		t.Errorf("decades(-6, -4) = %v, want %v", got, want)
	}
}
