package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/procpool/supervisor/internal/metrics"
	"github.com/procpool/supervisor/supervisor"
)

// metricsServer serves the run's Prometheus metrics at --metrics-addr,
// from a registry of its own: the supervisor's metrics plus this process's
// Go and process collectors.
type metricsServer struct {
	nop
	addr   string
	stderr io.Writer
	col    *metrics.Collector
	reg    *prometheus.Registry
	ln     net.Listener
	err    error // listening failed: the run stops at attach
	srv    *http.Server
}

// newMetricsServer listens at once, so that the events of the start-up are
// counted and a busy port is known before any task runs.
func newMetricsServer(addr string, mode supervisor.Mode, stderr io.Writer) *metricsServer {
	m := &metricsServer{addr: addr, stderr: stderr, reg: prometheus.NewRegistry()}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.col = metrics.New(m.reg, mode)
	m.ln, m.err = net.Listen("tcp", loopbackByDefault(addr))
	return m
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

func (m *metricsServer) attach(s live) error {
	if m.err != nil {
		return usagef("--metrics-addr=%s: %s", m.addr, listenProblem(m.err))
	}
	m.col.Watch(s)
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	m.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = m.srv.Serve(m.ln) }()
	fmt.Fprintf(m.stderr, "supervisor: metrics at http://%s/metrics\n", m.ln.Addr())
	return nil
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

func (m *metricsServer) event(e supervisor.Event) { m.col.Observe(e) }

func (m *metricsServer) detach(summary) {
	if m.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = m.srv.Shutdown(ctx)
}
