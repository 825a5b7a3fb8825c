package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"
)

// pushJob is the job label of pushed metrics. With the instance label (the
// host name), a run replaces the previous run's metrics from the same
// host, as a batch job's should, and runs on other hosts keep theirs.
const pushJob = "supervisor"

// pushTimeout bounds the push at the end of a run.
const pushTimeout = 10 * time.Second

// checkPushURL accepts an http or https URL with a host, the Pushgateway's
// base (http://127.0.0.1:9091).
func checkPushURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--push=%s: want the Pushgateway's http:// or https:// URL, e.g. http://127.0.0.1:9091", raw)
	}
	return nil
}

// pushMetrics replaces the metrics of this job and host on the
// Pushgateway with g's (an HTTP PUT).
func pushMetrics(gateway string, g prometheus.Gatherer) error {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	p := push.New(gateway, pushJob).Gatherer(g).Grouping("instance", host).Client(&http.Client{Timeout: pushTimeout})
	if err := p.Push(); err != nil {
		return fmt.Errorf("push failed: %w", err)
	}
	return nil
}
