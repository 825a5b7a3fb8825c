package metrics

import (
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/procpool/supervisor/supervisor"
)

// namespace prefixes every metric name.
const namespace = "supervisor"

// Options describe the run the metrics are about.
type Options struct {
	Mode supervisor.Mode
	IPC  supervisor.IPC // process mode's data path; empty in thread mode
	// Pools are the run's pools, as in supervisor.Config: they say which
	// pool each task goes to, for the pool label. Empty means one pool,
	// "default", taking every task.
	Pools []supervisor.Pool
	// Tasks are the names of the tasks the run submits: their counters
	// start at 0 for every status, so that rate() sees their first
	// increase.
	Tasks []string
	// Version and Revision are the program's module version and VCS commit,
	// for supervisor_info; either may be empty.
	Version, Revision string
}

// A Collector turns a supervisor's events into Prometheus metrics. Its
// methods are safe for concurrent use.
type Collector struct {
	routes routes

	tasks     *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	overhead  *prometheus.HistogramVec
	retries   prometheus.Counter
	starts    prometheus.Counter
	startup   prometheus.Histogram
	restarts  prometheus.Counter
	deaths    *prometheus.CounterVec
	kills     *prometheus.CounterVec
	abandoned prometheus.Counter

	source atomic.Pointer[sourceBox] // set by Watch; read at scrape time
}

// New registers the supervisor's metrics with reg and returns the
// collector to feed them. The mode, data path and version are labels of
// one metric, supervisor_info, not of every series: join on it to split a
// dashboard by mode. It panics if the metrics are already registered with
// reg, as prometheus.MustRegister does.
func New(reg prometheus.Registerer, o Options) *Collector {
	c := &Collector{routes: newRoutes(o.Pools),
		tasks: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "tasks_total",
			Help: "Tasks that have a result, by pool, task name and status (ok, error, panic, died, timeout, canceled, quarantined, memory)."},
			[]string{"pool", "task", "status"}),
		duration: newHistogram("task_duration_seconds",
			"Time each task function ran, measured where it ran, by pool and task name.", -5, 2, "pool", "task"),
		overhead: newHistogram("task_overhead_seconds",
			"Round trip minus time in the task, by pool: the cost of getting a task to its worker and the answer back (IPC and scheduling).", -6, 0, "pool"),
		startup: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "worker_startup_seconds",
			Help:    "Time from starting a worker to its first reply (process mode) or to its goroutine running (thread mode).",
			Buckets: decades(-6, 1)}),
		retries:  newCounter("task_retries_total", "Tasks run again because their worker died."),
		starts:   newCounter("worker_starts_total", "Workers started, including replacements and warm spares put to work."),
		restarts: newCounter("worker_restarts_total", "Workers started to replace one that ended."),
		abandoned: newCounter("goroutines_abandoned_total",
			"Thread mode: goroutines whose task ignored cancellation; they still run and cannot be reclaimed."),
		deaths: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "worker_deaths_total",
			Help: "Workers that ended while the supervisor was running, by how they ended (a signal such as SIGKILL, an exit status, abandoned) and whether the supervisor ended them itself."},
			[]string{"reason", "planned"}),
		kills: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "worker_kills_total",
			Help: "Kills requested (by an operator or chaos), by signal; \"cancel\" in thread mode, where a goroutine can only be cancelled."},
			[]string{"signal"}),
	}
	reg.MustRegister(c.tasks, c.duration, c.overhead, c.startup, c.retries, c.starts, c.restarts, c.abandoned,
		c.deaths, c.kills, newInfo(o), newWorkerGauges(c, o))
	c.preinitialise(o)
	return c
}

// newHistogram has buckets at 1, 2.5 and 5 times each power of ten from
// 10^lo to 10^hi seconds: task times here span microseconds (a goroutine)
// to seconds, and round bounds read well on a dashboard.
func newHistogram(name, help string, lo, hi int, labels ...string) *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help,
		Buckets: decades(lo, hi)}, labels)
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
	pool := c.routes.pool(r.Task.Name)
	c.tasks.WithLabelValues(pool, r.Task.Name, r.Status.String()).Inc()
	if r.RoundTrip > 0 { // it reached a worker
		c.duration.WithLabelValues(pool, r.Task.Name).Observe(r.Exec.Seconds())
		c.overhead.WithLabelValues(pool).Observe(r.Overhead().Seconds())
	}
}
