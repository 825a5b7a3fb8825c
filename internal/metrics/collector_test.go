package metrics

import (
	"bytes"
	"errors"
	"os"
	"runtime"
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

func (f fakeSource) Stats() supervisor.Stats {
	return supervisor.Stats{Workers: f.workers, Queued: 3}
}

var processRun = Options{Mode: supervisor.ModeProcess, IPC: supervisor.IPCFrame, Tasks: []string{"sleep", "segv"}, Version: "v1.2.3", Revision: "0123456789ab"}

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
	c := New(reg, processRun)
	feed(c)
	c.Watch(fakeSource{workers: []supervisor.WorkerInfo{
		{ID: 1, Pool: "default", State: supervisor.StateBusy, RSS: 12 << 20},
		{ID: 2, Pool: "default", State: supervisor.StateIdle, RSS: 11 << 20},
	}})
	for _, tc := range []struct {
		name string
		c    prometheus.Collector
		want float64
	}{
		{"ok sleep", c.tasks.WithLabelValues("default", "sleep", "ok"), 2},
		{"died segv", c.tasks.WithLabelValues("default", "segv", "died"), 1},
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
	// The exit at shutdown is not a death: the pre-initialised four and
	// exit 2.
	if n := testutil.CollectAndCount(c.deaths); n != 5 {
		t.Errorf("%d death series, want 5 (the stop at shutdown is not one)", n)
	}
	want := `
# HELP supervisor_info The run's mode (process or thread) and data path (process mode), and the program's version, VCS revision and Go version; always 1.
# TYPE supervisor_info gauge
supervisor_info{goversion="` + runtime.Version() + `",ipc="frame",mode="process",revision="0123456789ab",version="v1.2.3"} 1
# HELP supervisor_worker_resident_memory_bytes Resident memory of each worker process (process mode; sampled every 200ms).
# TYPE supervisor_worker_resident_memory_bytes gauge
supervisor_worker_resident_memory_bytes{pool="default",worker="1"} 1.2582912e+07
supervisor_worker_resident_memory_bytes{pool="default",worker="2"} 1.1534336e+07
# HELP supervisor_tasks_queued Tasks waiting for a worker.
# TYPE supervisor_tasks_queued gauge
supervisor_tasks_queued 3
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"supervisor_info", "supervisor_worker_resident_memory_bytes", "supervisor_tasks_queued"); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(reg, "supervisor_workers"); err != nil || n != len(supervisor.WorkerStates()) {
		t.Errorf("%d series of supervisor_workers (%v), want one per state", n, err)
	}
}

// TestNoModeOnEverySeries: the mode is supervisor_info's label alone
// (issue 13: it was repeated on every histogram's series).
func TestNoModeOnEverySeries(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	feed(New(reg, processRun))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "mode" && mf.GetName() != "supervisor_info" {
					t.Errorf("%s has a mode label", mf.GetName())
				}
			}
		}
	}
}

// TestPreinitialised: before any event, every status of every task has a
// series at 0, and the duration histogram is labelled by pool and task
// (issue 13: counters appeared with their first increment, so rate()
// missed it, and the histogram had no task label).
func TestPreinitialised(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	New(reg, Options{Mode: supervisor.ModeProcess, Tasks: []string{"primes", "fetch"},
		Pools: []supervisor.Pool{{Name: "cpu", Workers: 2, Tasks: []string{"primes"}}, {Name: "io", Workers: 8, Tasks: []string{"fetch"}}}})
	n, err := testutil.GatherAndCount(reg, "supervisor_tasks_total")
	if err != nil || n != 2*len(supervisor.Statuses()) {
		t.Errorf("%d series of supervisor_tasks_total (%v), want every status of both tasks", n, err)
	}
	want := []string{`supervisor_tasks_total{pool="cpu",status="ok",task="primes"} 0`,
		`supervisor_tasks_total{pool="io",status="timeout",task="fetch"} 0`,
		`supervisor_task_duration_seconds_count{pool="io",task="fetch"} 0`,
		`supervisor_task_overhead_seconds_count{pool="cpu"} 0`,
		`supervisor_worker_kills_total{signal="SIGKILL"} 0`,
		`supervisor_worker_deaths_total{planned="false",reason="SIGKILL"} 0`}
	text := exposition(t, reg)
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the scrape lacks %s", w)
		}
	}
}

func TestRoutes(t *testing.T) {
	r := newRoutes([]supervisor.Pool{{Name: "cpu", Tasks: []string{"primes"}}, {Name: "rest"}})
	for task, want := range map[string]string{"primes": "cpu", "fetch": "rest"} {
		if got := r.pool(task); got != want {
			t.Errorf("pool(%q) = %q, want %q", task, got, want)
		}
	}
	if got := newRoutes([]supervisor.Pool{{Name: "cpu", Tasks: []string{"primes"}}}).pool("fetch"); got != noPool {
		t.Errorf("a task no pool takes: %q, want %q", got, noPool)
	}
	if got := newRoutes(nil).pool("x"); got != "default" {
		t.Errorf("no pools: %q, want default", got)
	}
}

// TestWorkerCPUExported: each worker process's CPU time is a counter
// (issue 13: it was sampled but not exported). This test process stands
// in for a worker.
func TestWorkerCPUExported(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	c := New(reg, processRun)
	c.Watch(fakeSource{workers: []supervisor.WorkerInfo{{ID: 1, Pool: "default", PID: os.Getpid(), State: supervisor.StateBusy, RSS: 1 << 20}}})
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; { // burn some CPU: a tick is 10ms
	}
	text := exposition(t, reg)
	if !strings.Contains(text, "# TYPE supervisor_worker_cpu_seconds_total counter") ||
		!strings.Contains(text, `supervisor_worker_cpu_seconds_total{pool="default",worker="1"} `) ||
		strings.Contains(text, `supervisor_worker_cpu_seconds_total{pool="default",worker="1"} 0`+"\n") {
		t.Errorf("no CPU time for worker 1:\n%s", text)
	}
	thread := prometheus.NewPedanticRegistry()
	New(thread, Options{Mode: supervisor.ModeThread}).Watch(fakeSource{workers: []supervisor.WorkerInfo{{ID: 1, Pool: "default", PID: os.Getpid()}}})
	if strings.Contains(exposition(t, thread), "supervisor_worker_cpu_seconds_total{") {
		t.Error("thread mode exports a goroutine's CPU time, which is the whole process's")
	}
}

func exposition(t *testing.T, reg prometheus.Gatherer) string {
	t.Helper()
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
	return text.String()
}

// TestCollectorLint lints the exposition text, as Prometheus's promtool
// does: gathering alone misses an empty help text.
func TestCollectorLint(t *testing.T) {
	for _, mode := range []supervisor.Mode{supervisor.ModeProcess, supervisor.ModeThread} {
		reg := prometheus.NewPedanticRegistry()
		c := New(reg, Options{Mode: mode, Tasks: []string{"sleep"}})
		feed(c)
		c.Watch(fakeSource{workers: []supervisor.WorkerInfo{{ID: 1, PID: os.Getpid(), Pool: "default", State: supervisor.StateAbandoned, RSS: 1}}})
		problems, err := promlint.New(strings.NewReader(exposition(t, reg))).Lint()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("%s: %s: %s", mode, p.Metric, p.Text)
		}
	}
}

func TestGaugesBeforeWatch(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	New(reg, processRun)
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
