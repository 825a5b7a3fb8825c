package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsDuringARun scrapes /metrics while tasks run, checks live
// values, lints the exposition with client_golang's promlint (the linter
// promtool runs) and parses it with Prometheus's own text parser.
func TestMetricsDuringARun(t *testing.T) {
	// Four quick tasks, then one long one per worker: the scrape sees
	// finished tasks, busy workers and their memory.
	cmd := exec.Command(binary, "--metrics-addr=127.0.0.1:0", "--workers=2", "--task=sleep", "1ms", "1ms", "1ms", "1ms", "1h", "1h")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := regexp.MustCompile(`metrics at (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		_ = cmd.Wait()
		close(exited)
	}()
	var url string
	select {
	case url = <-addr:
	case <-time.After(screenTimeout):
		t.Fatal("no metrics address on stderr")
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("metrics served at %s, want loopback", url)
	}
	body := scrapeUntil(t, url, []string{
		`supervisor_tasks_total{pool="default",status="ok",task="sleep"} 4`,
		`supervisor_tasks_total{pool="default",status="timeout",task="sleep"} 0`, // pre-initialised
		`supervisor_workers{pool="default",state="busy"} 2`,
		`supervisor_worker_resident_memory_bytes{pool="default",worker="1"} `,
		`supervisor_worker_cpu_seconds_total{pool="default",worker="1"} `,
		`supervisor_worker_starts_total 2`,
		`supervisor_task_duration_seconds_count{pool="default",task="sleep"} 4`,
		`supervisor_task_overhead_seconds_count{pool="default"} 4`,
		`supervisor_info{goversion="go`, // with ipc, mode, revision and version

		`process_resident_memory_bytes `,
	})
	if bytes.Contains(body, []byte(`mode="process",le=`)) {
		t.Error("a histogram is still labelled with the mode; supervisor_info carries it")
	}
	problems, err := promlint.New(bytes.NewReader(body)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	parseExposition(t, body)
	_ = cmd.Process.Signal(syscall.SIGINT) // ends the run: the long tasks are cancelled
	select {
	case <-exited:
	case <-time.After(screenTimeout):
		t.Error("the run did not end on SIGINT")
	}
}

// scrapeUntil polls url until its body has every line prefix in want.
func scrapeUntil(t *testing.T, url string, want []string) []byte {
	t.Helper()
	deadline := time.Now().Add(screenTimeout)
	for {
		body, missing := scrape(t, url), ""
		for _, w := range want {
			if !bytes.Contains(body, []byte("\n"+w)) {
				missing = w
				break
			}
		}
		if missing == "" {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scrape never showed %q; last one:\n%s", missing, body)
		}
		time.Sleep(50 * time.Millisecond) // polling with a deadline
	}
}

func scrape(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, %v", url, resp.Status, err)
	}
	return body
}

// parseExposition parses the scrape as Prometheus would, with the text
// parser of prometheus/common: every family must parse and be typed.
func parseExposition(t *testing.T, body []byte) {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the scrape does not parse: %v", err)
	}
	for name, f := range families {
		if f.GetType() == dto.MetricType_UNTYPED || len(f.GetMetric()) == 0 {
			t.Errorf("metric family %s: type %v, %d series", name, f.GetType(), len(f.GetMetric()))
		}
	}
	if _, ok := families["supervisor_tasks_total"]; !ok {
		t.Error("supervisor_tasks_total is not in the scrape")
	}
}

// TestMetricsPortInUse: a busy port is one clear line and exit 2.
func TestMetricsPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := runCLI(t, "--metrics-addr="+ln.Addr().String(), "--task=sleep", "1ms")
	want := "supervisor: --metrics-addr=" + ln.Addr().String() + ": address already in use\n"
	if r.code != 2 || !strings.HasSuffix(r.stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", r.code, r.stderr, want)
	}
}

func TestMetricsAddressDefaultsToLoopback(t *testing.T) {
	for in, want := range map[string]string{
		":9464":          "127.0.0.1:9464",
		"9464":           "127.0.0.1:9464",
		"0.0.0.0:9464":   "0.0.0.0:9464",
		"localhost:9464": "localhost:9464",
		"[::1]:9464":     "[::1]:9464",
	} {
		if got := loopbackByDefault(in); got != want {
			t.Errorf("loopbackByDefault(%q) = %q, want %q", in, got, want)
		}
	}
}
