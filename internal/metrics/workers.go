package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/procpool/supervisor/supervisor"
)

// A Source is what the gauges are read from at scrape time;
// *supervisor.Supervisor is one.
type Source interface {
	Workers() []supervisor.WorkerInfo
	Queued() int
}

// sourceBox lets an interface value sit in an atomic.Pointer.
type sourceBox struct{ Source }

// Watch makes the gauges report src: workers by state, each worker's
// memory, the queue. Until it is called they report nothing, since events
// reach the collector before supervisor.New has returned the supervisor.
func (c *Collector) Watch(src Source) { c.source.Store(&sourceBox{src}) }

// states are the worker states the supervisor reports, so that every state
// has a series, at 0 when no worker is in it.
var states = [...]supervisor.WorkerState{supervisor.StateStarting, supervisor.StateIdle, supervisor.StateBusy,
	supervisor.StateDead, supervisor.StateRestarting, supervisor.StateAbandoned, supervisor.StateStopped}

// workerGauges is a collector whose values come from the source at each
// scrape.
type workerGauges struct {
	c                    *Collector
	byState, rss, queued *prometheus.Desc
}

func newWorkerGauges(c *Collector) *workerGauges {
	return &workerGauges{c: c,
		byState: prometheus.NewDesc(namespace+"_workers",
			"Workers by state: starting, idle, busy, dead, restarting, abandoned, stopped.", []string{"state"}, nil),
		rss: prometheus.NewDesc(namespace+"_worker_resident_memory_bytes",
			"Resident memory of each worker process (process mode; sampled every 200ms).", []string{"worker"}, nil),
		queued: prometheus.NewDesc(namespace+"_tasks_queued", "Tasks waiting for a worker.", nil, nil),
	}
}

func (g *workerGauges) Describe(ch chan<- *prometheus.Desc) {
	ch <- g.byState
	ch <- g.rss
	ch <- g.queued
}

func (g *workerGauges) Collect(ch chan<- prometheus.Metric) {
	box := g.c.source.Load()
	if box == nil {
		return
	}
	count := map[supervisor.WorkerState]int{}
	for _, w := range box.Workers() {
		count[w.State]++
		if w.RSS > 0 {
			ch <- prometheus.MustNewConstMetric(g.rss, prometheus.GaugeValue, float64(w.RSS), strconv.Itoa(w.ID))
		}
	}
	for _, st := range states {
		ch <- prometheus.MustNewConstMetric(g.byState, prometheus.GaugeValue, float64(count[st]), st.String())
	}
	ch <- prometheus.MustNewConstMetric(g.queued, prometheus.GaugeValue, float64(box.Queued()))
}
