// Package metrics exports a supervisor's tasks and workers as Prometheus
// metrics. It is separate from the CLI so that a program embedding the
// supervisor can serve the same metrics:
//
//	reg := prometheus.NewRegistry()
//	m := metrics.New(reg, metrics.Options{Mode: supervisor.ModeProcess, Tasks: []string{"resize"}})
//	s, err := supervisor.New(ctx, supervisor.Config{OnEvent: m.Observe})
//	...
//	m.Watch(s) // the per-worker gauges and CPU, read from s.Stats() at scrape time
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// Counters and histograms are fed from events; gauges (and each worker
// process's CPU time) are read when Prometheus scrapes, so an idle
// supervisor costs nothing. What describes the whole run (mode, data
// path, version) is one series, supervisor_info, rather than a label on
// every series; the pool and the task label the series they split.
// Nothing is registered with the global registry. To serve two
// supervisors from one registry, wrap it with
// prometheus.WrapRegistererWith and a label per supervisor.
package metrics
