package metrics

import (
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/procpool/supervisor/supervisor"
)

// namespace prefixes every metric name.
const namespace = "supervisor"

// A Collector turns a supervisor's events into Prometheus metrics. Its
// methods are safe for concurrent use.
type Collector struct {
	mode string

	tasks     *prometheus.CounterVec
	duration  prometheus.Observer
	overhead  prometheus.Observer
	retries   prometheus.Counter
	starts    prometheus.Counter
	startup   prometheus.Observer
	restarts  prometheus.Counter
	deaths    *prometheus.CounterVec
	kills     *prometheus.CounterVec
	abandoned prometheus.Counter

	source atomic.Pointer[sourceBox] // set by Watch; read at scrape time
}

// New registers the supervisor's metrics with reg and returns the
// collector to feed them. mode labels the histograms, so that runs in the
// two modes can be told apart on one dashboard. It panics if the metrics
// are already registered with reg, as prometheus.MustRegister does.
func New(reg prometheus.Registerer, mode supervisor.Mode) *Collector {
	c := &Collector{mode: mode.String()}
	tasks := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "tasks_total",
		Help: "Tasks that have a result, by status (ok, error, panic, died, timeout, canceled, quarantined, memory) and task name."},
		[]string{"status", "task"})
	duration := newHistogram("task_duration_seconds",
		"Time each task function ran, measured where it ran.", -5, 2)
	overhead := newHistogram("task_overhead_seconds",
		"Round trip minus time in the task: the cost of getting a task to its worker and the answer back (IPC and scheduling).", -6, 0)
	startup := newHistogram("worker_startup_seconds",
		"Time from starting a worker to its first reply (process mode) or to its goroutine running (thread mode).", -6, 1)
	retries := newCounter("task_retries_total", "Tasks run again because their worker died.")
	starts := newCounter("worker_starts_total", "Workers started, including replacements and warm spares put to work.")
	restarts := newCounter("worker_restarts_total", "Workers started to replace one that ended.")
	abandoned := newCounter("goroutines_abandoned_total",
		"Thread mode: goroutines whose task ignored cancellation; they still run and cannot be reclaimed.")
	deaths := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "worker_deaths_total",
		Help: "Workers that ended while the supervisor was running, by how they ended (a signal such as SIGKILL, an exit status, abandoned) and whether the supervisor ended them itself."},
		[]string{"reason", "planned"})
	kills := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "worker_kills_total",
		Help: "Kills requested (by an operator or chaos), by signal; \"cancel\" in thread mode, where a goroutine can only be cancelled."},
		[]string{"signal"})
	reg.MustRegister(tasks, duration, overhead, startup, retries, starts, restarts, abandoned, deaths, kills,
		newWorkerGauges(c))
	c.tasks, c.retries, c.starts, c.restarts, c.abandoned, c.deaths, c.kills = tasks, retries, starts, restarts, abandoned, deaths, kills
	c.duration, c.overhead, c.startup = duration.WithLabelValues(c.mode), overhead.WithLabelValues(c.mode), startup.WithLabelValues(c.mode)
	return c
}

// newHistogram has buckets at 1, 2.5 and 5 times each power of ten from
// 10^lo to 10^hi seconds: task times here span microseconds (a goroutine)
// to seconds, and round bounds read well on a dashboard.
func newHistogram(name, help string, lo, hi int) *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help,
		Buckets: decades(lo, hi)}, []string{"mode"})
}

func decades(lo, hi int) []float64 {
	var out []float64
	for exp := lo; exp <= hi; exp++ {
		for _, m := range []string{"1", "2.5", "5"} {
			if exp == hi && m != "1" {
				break
			}
			// Parsed from decimal, so that 2.5e-06 is the float nearest to it
			// and prints as such.
			v, _ := strconv.ParseFloat(m+"e"+strconv.Itoa(exp), 64)
			out = append(out, v)
		}
	}
	return out
}

func newCounter(name, help string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help})
}

// Observe records one event. Give it to supervisor.Config.OnEvent, or call
// it from your own handler: it is cheap and never blocks.
func (c *Collector) Observe(e supervisor.Event) {
	switch e := e.(type) {
	case supervisor.TaskFinished:
		c.finished(e.Result)
	case supervisor.TaskRetried:
		c.retries.Inc()
	case supervisor.WorkerStarted:
		c.starts.Inc()
		c.startup.Observe(e.Startup.Seconds())
		if e.Replacing {
			c.restarts.Inc()
		}
	case supervisor.WorkerExited:
		if e.Cause != supervisor.CauseStopping {
			c.deaths.WithLabelValues(deathReason(e.Reason), strconv.FormatBool(e.Planned)).Inc()
		}
	case supervisor.WorkerKilled:
		sig := e.Signal
		if e.Thread {
			sig = "cancel"
		}
		c.kills.WithLabelValues(sig).Inc()
	case supervisor.GoroutineAbandoned:
		c.abandoned.Inc()
	}
}

func (c *Collector) finished(r supervisor.Result) {
	c.tasks.WithLabelValues(r.Status.String(), r.Task.Name).Inc()
	if r.RoundTrip > 0 { // it reached a worker
		c.duration.Observe(r.Exec.Seconds())
		c.overhead.Observe(r.Overhead().Seconds())
	}
}
