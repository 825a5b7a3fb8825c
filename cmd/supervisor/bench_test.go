package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Tests of "supervisor bench" through the real binary. They check that
// the report is well formed and plausible, never that a time was beaten,
// and keep every run to a few seconds.

// tinyBench are flags that make every measurement small.
var tinyBench = []string{"bench", "--quick", "--rounds=2", "--tasks=50", "--starts=2", "--kills=2", "--duration=20ms",
	"--goroutines=100", "--repeat=1", "--fetch-delay=5ms", "--workers=2"}

func benchArgs(extra ...string) []string { return append(append([]string{}, tinyBench...), extra...) }

// benchJSON is the part of bench's JSON the tests read.
type benchJSON struct {
	Settings struct {
		IPCs []string `json:"ipcs"`
	} `json:"settings"`
	RoundTrip []struct {
		Case   string `json:"case"`
		Caller struct {
			N     int   `json:"n"`
			P50Ns int64 `json:"p50_ns"`
			P99Ns int64 `json:"p99_ns"`
		} `json:"caller"`
	} `json:"roundtrip"`
	Payload []struct {
		Case   string  `json:"case"`
		Bytes  int     `json:"payload_bytes"`
		MBPerS float64 `json:"mb_per_s"`
		Error  string  `json:"error"`
	} `json:"payload"`
	PayloadLimit []struct {
		Case      string `json:"case"`
		Error     string `json:"error"`
		TooLarge  bool   `json:"too_large"`
		NamesFlag bool   `json:"names_flag"`
	} `json:"payload_limit"`
	Primes []struct {
		Case    string   `json:"case"`
		Answers []string `json:"answers"`
	} `json:"primes"`
}

func TestBenchJSON(t *testing.T) {
	r := runCLI(t, benchArgs("--json", "--only=roundtrip,payload,primes", "--ipc=grpc,frame", "--sizes=1KiB,2MiB", "--max-payload=1MiB")...)
	if r.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	if n := strings.Count(strings.TrimSpace(r.stdout), "\n"); n != 0 {
		t.Errorf("--json printed %d lines, want one object on one line", n+1)
	}
	var b benchJSON
	if err := json.Unmarshal([]byte(r.stdout), &b); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout)
	}
	// The floors on a socketpair and pipes, two data paths, thread mode, go-plugin.
	if strings.Join(b.Settings.IPCs, ",") != "grpc,frame" || len(b.RoundTrip) != 6 {
		t.Fatalf("--ipc=grpc,frame: settings %v, %d round-trip results", b.Settings.IPCs, len(b.RoundTrip))
	}
	for _, rt := range b.RoundTrip {
		if c := rt.Caller; c.N != 25 || c.P50Ns <= 0 || c.P50Ns > c.P99Ns {
			t.Errorf("round trip %s: %+v", rt.Case, c)
		}
	}
	for _, p := range b.Payload {
		over := p.Bytes > 1<<20 && strings.HasPrefix(p.Case, "process/")
		if over != (p.Error != "") || over && !strings.Contains(p.Error, "--max-payload") {
			t.Errorf("payload %s of %d bytes: error %q", p.Case, p.Bytes, p.Error)
		}
	}
	for _, l := range b.PayloadLimit {
		if !l.TooLarge || !l.NamesFlag || strings.Contains(l.Error, "ResourceExhausted") {
			t.Errorf("over the limit on %s: %+v, want the clear error naming --max-payload", l.Case, l)
		}
	}
	for _, p := range b.Primes {
		if strings.Join(p.Answers, ";") != strings.Join(b.Primes[0].Answers, ";") || len(p.Answers) != 6 {
			t.Errorf("primes on %s: %q, on %s: %q", p.Case, p.Answers, b.Primes[0].Case, b.Primes[0].Answers)
		}
	}
}

func TestBenchText(t *testing.T) {
	r := runCLI(t, benchArgs("--only=startup,payload", "--ipc=frame", "--sizes=1KiB,2MiB", "--max-payload=1MiB")...)
	if r.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"start-up:", "one worker p50", "process/frame", "thread", "payload echo",
		"over the limit", "refused as it should be", "--max-payload"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "bench: startup process/frame") {
		t.Errorf("no progress on stderr:\n%s", r.stderr)
	}
}

func TestBenchPlot(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, benchArgs("--only=roundtrip,throughput", "--ipc=stream,frame", "--plot="+dir)...)
	if r.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	for _, name := range []string{"bench-roundtrip", "bench-throughput"} {
		for _, ext := range []string{".png", ".svg"} {
			fi, err := os.Stat(filepath.Join(dir, name+ext))
			if err != nil || fi.Size() < 1000 {
				t.Errorf("%s%s: %v, want a chart", name, ext, err)
			}
		}
	}
}

func TestBenchBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--only=startup,warp"}, `"warp"`},
		{[]string{"--ipc=pigeon"}, `"pigeon"`},
		{[]string{"--workers=-1"}, "--workers=-1"},
		{[]string{"--sizes=1KiB,lots"}, `"lots"`},
		{[]string{"--max-payload=huge"}, `"huge"`},
		{[]string{"--duration=soon"}, "soon"},
		{[]string{"--frobnicate"}, "-frobnicate"},
		{[]string{"extra"}, `"extra"`},
	} {
		r := runCLI(t, append([]string{"bench"}, c.args...)...)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if r.code != 2 || len(lines) != 1 || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stderr, "goroutine ") {
			t.Errorf("bench %v: exit %d, stderr %q; want exit 2 and one line naming %s", c.args, r.code, r.stderr, c.want)
		}
	}
}

func TestBenchHelp(t *testing.T) {
	r := runCLI(t, "bench", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "-python") || !strings.Contains(r.stdout, "-plot") {
		t.Errorf("bench --help: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestBenchWithoutPython runs --python where no python3 can be found:
// one line says so, and the Go side is measured anyway.
func TestBenchWithoutPython(t *testing.T) {
	cmd := exec.Command(binary, benchArgs("--python", "--only=roundtrip", "--ipc=frame")...)
	cmd.Env = append(os.Environ(), "PATH="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v; stderr:\n%s", err, stderr.String())
	}
	var lines []string
	for l := range strings.Lines(stderr.String()) {
		if strings.Contains(l, "python3") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "not found") {
		t.Errorf("want one line saying python3 was not found; stderr:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "no-op round trip") || strings.Contains(stdout.String(), "vs Python") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
}

func TestBenchWithPython(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3")
	}
	r := runCLI(t, benchArgs("--python", "--only=roundtrip,fetch", "--ipc=frame")...)
	if r.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"vs Python", "ProcessPoolExecutor", "ThreadPoolExecutor", "no-op round trip p50 (process pool)", "fetch"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
}
