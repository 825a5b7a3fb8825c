// Package metrics exports a supervisor's tasks and workers as Prometheus
// metrics. It is separate from the CLI so that a program embedding the
// supervisor can serve the same metrics:
//
//	reg := prometheus.NewRegistry()
//	m := metrics.New(reg, supervisor.ModeProcess)
//	s, err := supervisor.New(supervisor.Config{OnEvent: m.Observe})
//	...
//	m.Watch(s) // the per-worker gauges, read from s.Workers() at scrape time
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// Counters and histograms are fed from events; gauges are read when
// Prometheus scrapes, so an idle supervisor costs nothing. Nothing is
// registered with the global registry. To serve two supervisors from one
// registry, wrap it with prometheus.WrapRegistererWith and a label per
// supervisor.
package metrics
