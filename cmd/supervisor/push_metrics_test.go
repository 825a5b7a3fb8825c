package main

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// TestMetricsLinger: after a run shorter than any scrape interval, the
// endpoint stays up with the final figures until --linger ends or Ctrl-C
// does; the exit status is the run's (issue 13: a short run ended before
// anyone could scrape it).
func TestMetricsLinger(t *testing.T) {
	cmd := exec.Command(binary, "--metrics-addr=127.0.0.1:0", "--linger=10m", "--workers=1", "--task=sleep", "1ms", "1ms")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lingering := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := regexp.MustCompile(`metrics stay at (http://\S+) for 10m0s`).FindStringSubmatch(sc.Text()); m != nil {
				lingering <- m[1]
			}
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	var url string
	select {
	case url = <-lingering:
	case <-time.After(screenTimeout):
		t.Fatal("the run did not say its metrics linger")
	}
	body := scrape(t, url)
	for _, want := range []string{`supervisor_tasks_total{pool="default",status="ok",task="sleep"} 2`, `supervisor_workers{pool="default",state="stopped"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the lingering scrape lacks %s:\n%s", want, body)
		}
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after Ctrl-C during the linger: %v, want the run's status 0", err)
		}
	case <-time.After(screenTimeout):
		t.Fatal("Ctrl-C did not end the linger")
	}
}

// gateway is a Pushgateway stand-in: a real HTTP server that keeps what
// is pushed to it.
type gateway struct {
	mu       sync.Mutex
	method   string
	path     string
	families map[string]*dto.MetricFamily
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	dec := expfmt.NewDecoder(r.Body, expfmt.ResponseFormat(r.Header))
	fams := map[string]*dto.MetricFamily{}
	for {
		var mf dto.MetricFamily
		if err := dec.Decode(&mf); err == io.EOF {
			break
		} else if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fams[mf.GetName()] = &mf
	}
	g.mu.Lock()
	g.method, g.path, g.families = r.Method, r.URL.Path, fams
	g.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// TestMetricsPush: --push replaces this job's metrics on the gateway with
// the run's final figures, the supervisor's own only.
func TestMetricsPush(t *testing.T) {
	g := &gateway{}
	srv := httptest.NewServer(g)
	defer srv.Close()
	r := runCLI(t, "--push="+srv.URL, "--workers=1", "--task=sleep", "1ms", "1ms", "1ms")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	host, _ := os.Hostname()
	if g.method != http.MethodPut || g.path != "/metrics/job/supervisor/instance/"+host {
		t.Errorf("pushed with %s %s, want PUT to the job and instance", g.method, g.path)
	}
	tasks := g.families["supervisor_tasks_total"]
	ok := 0.0
	for _, m := range tasks.GetMetric() {
		if labels(m)["status"] == "ok" {
			ok += m.GetCounter().GetValue()
		}
	}
	if ok != 3 {
		t.Errorf("pushed %v ok tasks, want 3: %v", ok, tasks)
	}
	for name := range g.families {
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") {
			t.Errorf("pushed %s: the exiting process's own metrics do not belong on the gateway", name)
		}
	}
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// TestMetricsFlagsChecked: each mistake is one line and exit 2, and a
// gateway that does not answer costs a line, not the run's status.
func TestMetricsFlagsChecked(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--linger=5s"}, "--linger=5s keeps the metrics endpoint up: add --metrics-addr"},
		{[]string{"--push=localhost:9091"}, "--push=localhost:9091: want the Pushgateway's http:// or https:// URL"},
		{[]string{"--metrics-addr=127.0.0.1:0", "--linger=5"}, "missing unit"},
	} {
		r := runCLI(t, append(tc.args, "--task=sleep", "1ms")...)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	r := runCLI(t, "--push="+url, "--task=sleep", "1ms")
	if r.code != 0 || !strings.Contains(r.stderr, "supervisor: --push="+url+": push failed") {
		t.Errorf("push to a closed port: exit %d, stderr %q; want 0 and one line", r.code, r.stderr)
	}
}
