package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/procpool/supervisor/internal/metrics"
	"github.com/procpool/supervisor/supervisor"
)

// metricsObserver exports the run's Prometheus metrics: served at
// --metrics-addr while the run goes (and --linger after it), pushed to a
// Pushgateway at --push when it ends. The supervisor's metrics have a
// registry of their own; the server adds this process's Go and process
// collectors, which a push leaves out: they describe a process that is
// about to exit.
type metricsObserver struct {
	nop
	stderr io.Writer
	col    *metrics.Collector
	sup    *prometheus.Registry // the supervisor's metrics: what is pushed

	addr   string
	ln     net.Listener // nil when not serving
	srv    *http.Server
	linger time.Duration

	push string
}

// newMetrics makes the observer, or returns nil when neither flag asks for
// metrics. It listens at once, so that the events of the start-up are
// counted and a busy port is a usage error before any worker starts.
func newMetrics(o *options, tasks *workload, stderr io.Writer) (*metricsObserver, error) {
	if o.metricsAddr == "" && o.push == "" {
		return nil, nil
	}
	m := &metricsObserver{stderr: stderr, sup: prometheus.NewRegistry(), addr: o.metricsAddr, linger: o.linger, push: o.push}
	version, revision := buildVersion()
	m.col = metrics.New(m.sup, metrics.Options{Mode: o.mode, IPC: o.ipc, Pools: o.poolSpecs,
		Tasks: tasks.names(), Version: version, Revision: revision})
	if m.addr == "" {
		return m, nil
	}
	ln, err := net.Listen("tcp", loopbackByDefault(m.addr))
	if err != nil {
		return nil, usagef("--metrics-addr=%s: %s", m.addr, listenProblem(err))
	}
	m.ln = ln
	return m, nil
}

// loopbackByDefault binds an address without a host (":9464", "9464") to
// 127.0.0.1: metrics are not published beyond this machine unless asked.
func loopbackByDefault(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return net.JoinHostPort("127.0.0.1", addr)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// listenProblem says in a few words why listening failed.
func listenProblem(err error) string {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return "address already in use"
	case errors.Is(err, syscall.EACCES):
		return "permission denied"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "not an address of this machine"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}

func (m *metricsObserver) attach(s live) error {
	m.col.Watch(s)
	if m.ln == nil {
		return nil
	}
	all := prometheus.NewRegistry()
	all.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	gatherers := prometheus.Gatherers{m.sup, all}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(gatherers, promhttp.HandlerOpts{}))
	m.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = m.srv.Serve(m.ln) }()
	fmt.Fprintf(m.stderr, "supervisor: metrics at %s\n", m.url())
	return nil
}

func (m *metricsObserver) url() string { return "http://" + m.ln.Addr().String() + "/metrics" }

func (m *metricsObserver) event(e supervisor.Event) { m.col.Observe(e) }

// detach pushes the final figures, and stops serving unless the endpoint
// is to linger.
func (m *metricsObserver) detach(summary) {
	if m.push != "" {
		if err := pushMetrics(m.push, m.sup); err != nil {
			fmt.Fprintf(m.stderr, "supervisor: --push=%s: %v\n", m.push, err)
		}
	}
	if m.linger == 0 {
		m.close()
	}
}

// lingerAfter keeps the endpoint up for --linger once the run is over and
// its outcome printed, so that a scraper gets the final figures of a run
// shorter than its scrape interval. SIGINT, SIGTERM or SIGHUP end it
// early; the exit status stays the run's. It is a no-op on a nil
// observer, or without --linger.
func (m *metricsObserver) lingerAfter() {
	if m == nil || m.srv == nil || m.linger == 0 {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), drainSignals...)
	defer stop()
	fmt.Fprintf(m.stderr, "supervisor: the run is over; metrics stay at %s for %s (Ctrl-C ends this)\n", m.url(), m.linger)
	select {
	case <-ctx.Done():
	case <-time.After(m.linger):
	}
	m.close()
}

// close stops serving; it is safe to call more than once, and on a nil
// observer.
func (m *metricsObserver) close() {
	if m == nil {
		return
	}
	if m.srv == nil {
		if m.ln != nil {
			m.ln.Close() // never served: the run ended before attach
			m.ln = nil
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = m.srv.Shutdown(ctx) // closes the listener too
	m.srv, m.ln = nil, nil
}
