package metrics

import (
	"slices"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/procpool/supervisor/internal/procfs"
	"github.com/procpool/supervisor/supervisor"
)

// A Source is what the gauges are read from at scrape time;
// *supervisor.Supervisor is one.
type Source interface {
	Stats() supervisor.Stats
}

// sourceBox lets an interface value sit in an atomic.Pointer.
type sourceBox struct{ Source }

// Watch makes the gauges report src: workers by pool and state, each
// worker's memory and CPU time, the queue. Until it is called they report
// nothing, since events reach the collector before supervisor.New has
// returned the supervisor.
func (c *Collector) Watch(src Source) { c.source.Store(&sourceBox{src}) }

// workerGauges is a collector whose values come from the source at each
// scrape.
type workerGauges struct {
	c                         *Collector
	pools                     []string
	process                   bool // workers are processes: they have a CPU time of their own
	byState, rss, cpu, queued *prometheus.Desc
}

func newWorkerGauges(c *Collector, o Options) *workerGauges {
	return &workerGauges{c: c, pools: poolNames(o.Pools), process: o.Mode == supervisor.ModeProcess,
		byState: prometheus.NewDesc(namespace+"_workers",
			"Workers by pool and state: starting, idle, busy, dead, restarting, abandoned, stopped.", []string{"pool", "state"}, nil),
		rss: prometheus.NewDesc(namespace+"_worker_resident_memory_bytes",
			"Resident memory of each worker process (process mode; sampled every 200ms).", []string{"pool", "worker"}, nil),
		cpu: prometheus.NewDesc(namespace+"_worker_cpu_seconds_total",
			"CPU time (user and system) of each worker process, read at scrape time (process mode). It starts again from 0 when the worker is replaced, which rate() takes as a counter reset.",
			[]string{"pool", "worker"}, nil),
		queued: prometheus.NewDesc(namespace+"_tasks_queued", "Tasks waiting for a worker.", nil, nil),
	}
}

func (g *workerGauges) Describe(ch chan<- *prometheus.Desc) {
	ch <- g.byState
	ch <- g.rss
	ch <- g.cpu
	ch <- g.queued
}

func (g *workerGauges) Collect(ch chan<- prometheus.Metric) {
	box := g.c.source.Load()
	if box == nil {
		return
	}
	st := box.Stats()
	count, pools := map[[2]string]int{}, slices.Clone(g.pools)
	for _, w := range st.Workers {
		count[[2]string{w.Pool, w.State.String()}]++
		if !slices.Contains(pools, w.Pool) {
			pools = append(pools, w.Pool)
		}
		g.perWorker(ch, w)
	}
	for _, pool := range pools {
		for _, st := range supervisor.WorkerStates() {
			ch <- prometheus.MustNewConstMetric(g.byState, prometheus.GaugeValue, float64(count[[2]string{pool, st.String()}]), pool, st.String())
		}
	}
	ch <- prometheus.MustNewConstMetric(g.queued, prometheus.GaugeValue, float64(st.Queued))
}

// perWorker sends a worker process's memory and CPU time. The CPU time is
// read now, from /proc: the supervisor samples a percentage, and a
// counter of seconds is what rate() wants.
func (g *workerGauges) perWorker(ch chan<- prometheus.Metric, w supervisor.WorkerInfo) {
	if !g.process {
		return
	}
	id := strconv.Itoa(w.ID)
	if w.RSS > 0 {
		ch <- prometheus.MustNewConstMetric(g.rss, prometheus.GaugeValue, float64(w.RSS), w.Pool, id)
	}
	if w.PID == 0 {
		return
	}
	if st, err := procfs.Read(w.PID); err == nil {
		ch <- prometheus.MustNewConstMetric(g.cpu, prometheus.CounterValue, st.CPU.Seconds(), w.Pool, id)
	}
}
