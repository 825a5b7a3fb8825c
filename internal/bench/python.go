package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	pybench "github.com/procpool/supervisor/bench/python"
)

// Python is the Python side, run in the same run: each script's JSON as it
// printed it (bench/python/README.md documents every key), and one line
// per script that failed.
type Python struct {
	Interpreter    string          `json:"interpreter"`
	Version        string          `json:"version"`
	SeedPrimes     json.RawMessage `json:"seed_primes,omitempty"`
	SeedPrimesLong json.RawMessage `json:"seed_primes_long,omitempty"`
	SeedFetch      json.RawMessage `json:"seed_fetch,omitempty"`
	Micro          json.RawMessage `json:"micro,omitempty"`
	Errors         []string        `json:"errors,omitempty"`

	primes, primesLong *pySeedPrimes
	fetch              *pySeedFetch
	micro              *pyMicro
}

// The parts of the scripts' JSON the comparison reads.
type (
	pySeedPrimes struct {
		Workers int   `json:"workers"`
		Tasks   int   `json:"tasks"`
		WallNs  int64 `json:"wall_ns"`
		Results []struct {
			N     uint64 `json:"n"`
			Prime bool   `json:"prime"`
		} `json:"results"`
	}
	pySeedFetch struct {
		Workers int   `json:"workers"`
		WallNs  int64 `json:"wall_ns"`
	}
	pyMicro struct {
		Version     string `json:"python_version"`
		StartMethod string `json:"start_method"`
		Workers     int    `json:"workers"`
		PoolStart   []struct {
			Executor string `json:"executor"`
			Workers  int    `json:"workers"`
			P50Ns    int64  `json:"pool_start_p50_ns"`
		} `json:"pool_start"`
		RoundTrip []struct {
			Executor string `json:"executor"`
			P50Ns    int64  `json:"roundtrip_p50_ns"`
			P99Ns    int64  `json:"roundtrip_p99_ns"`
		} `json:"roundtrip"`
		Throughput []struct {
			Workers   int     `json:"workers"`
			Chunksize int     `json:"chunksize"`
			TasksPerS float64 `json:"tasks_per_s"`
		} `json:"throughput"`
		Payload []struct {
			Bytes  int     `json:"payload_bytes"`
			P50Ns  int64   `json:"roundtrip_p50_ns"`
			MBPerS float64 `json:"mb_per_s"`
		} `json:"payload"`
		Memory *struct {
			RSSKiB     int64 `json:"worker_avg_rss_kib"`
			PssKiB     int64 `json:"worker_avg_pss_kib"`
			PrivateKiB int64 `json:"worker_avg_private_kib"`
		} `json:"memory"`
	}
)

// pythonTimeout bounds one script: micro.py takes about half a minute.
const pythonTimeout = 5 * time.Minute

// microNames maps our measurements to micro.py's.
var microNames = map[string]string{"startup": "start", "roundtrip": "roundtrip",
	"throughput": "throughput", "payload": "payload", "memory": "memory"}

// runPython runs the scripts the chosen measurements call for. A script
// that fails is an entry in Errors, not the end of the run.
func runPython(ctx context.Context, o Options, urls []string) (*Python, error) {
	dir, err := writeScripts()
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	py := &Python{Interpreter: o.Python}
	py.Version, err = pythonVersion(ctx, o.Python)
	if err != nil {
		return nil, err
	}
	workers := "--workers=" + strconv.Itoa(o.Workers)
	if o.runs("primes") {
		py.primes = runScript[pySeedPrimes](ctx, o, py, dir, &py.SeedPrimes, "seed_primes.py", workers)
		py.primesLong = runScript[pySeedPrimes](ctx, o, py, dir, &py.SeedPrimesLong, "seed_primes.py", workers, "--repeat="+strconv.Itoa(o.Repeat))
	}
	if o.runs("fetch") {
		py.fetch = runScript[pySeedFetch](ctx, o, py, dir, &py.SeedFetch, "seed_fetch.py", append([]string{"--workers=" + strconv.Itoa(fetchWorkers)}, urls...)...)
	}
	if args := microArgs(o); args != nil {
		py.micro = runScript[pyMicro](ctx, o, py, dir, &py.Micro, "micro.py", args...)
	}
	return py, nil
}

func microArgs(o Options) []string {
	var only []string
	for _, m := range o.Only {
		if n, ok := microNames[m]; ok {
			only = append(only, n)
		}
	}
	if len(only) == 0 {
		return nil
	}
	args := []string{"--workers=" + strconv.Itoa(o.Workers), "--only=" + strings.Join(only, ",")}
	if o.Quick {
		args = append(args, "--quick")
	}
	return args
}

// writeScripts copies the embedded scripts to a new temporary directory.
func writeScripts() (string, error) {
	dir, err := os.MkdirTemp("", "supervisor-bench-python")
	if err != nil {
		return "", err
	}
	entries, err := pybench.FS.ReadDir(".")
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		b, err := pybench.FS.ReadFile(e.Name())
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644)
		}
		if err != nil {
			os.RemoveAll(dir)
			return "", err
		}
	}
	return dir, nil
}

func pythonVersion(ctx context.Context, python string) (string, error) {
	out, err := exec.CommandContext(ctx, python, "-c", "import platform; print(platform.python_version())").Output()
	if err != nil {
		return "", fmt.Errorf("python: %s does not run: %w", python, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// runScript runs one script with --json, keeps its output in raw and
// returns it parsed, or records why it failed and returns nil.
func runScript[T any](ctx context.Context, o Options, py *Python, dir string, raw *json.RawMessage, script string, args ...string) *T {
	o.progress("python %s %s", script, strings.Join(args, " "))
	ctx, cancel := context.WithTimeout(ctx, pythonTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, o.Python, append([]string{filepath.Join(dir, script), "--json"}, args...)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		py.Errors = append(py.Errors, fmt.Sprintf("%s: %v: %s", script, err, lastLine(stderr.String())))
		return nil
	}
	var v T
	if err := json.Unmarshal(stdout.Bytes(), &v); err != nil {
		py.Errors = append(py.Errors, fmt.Sprintf("%s: unreadable JSON: %v", script, err))
		return nil
	}
	*raw = json.RawMessage(bytes.TrimSpace(stdout.Bytes()))
	return &v
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
