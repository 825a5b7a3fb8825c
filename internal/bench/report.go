package bench

import (
	"os"
	"runtime"
	"strings"
	"time"
)

// A Report is everything one run measured. Durations are integer
// nanoseconds (keys ending in _ns), memory is bytes; a measurement that
// did not run is absent. docs/benchmarks.md documents every key.
type Report struct {
	Machine         Machine          `json:"machine"`
	Settings        Settings         `json:"settings"`
	Startup         []Startup        `json:"startup,omitempty"`
	PoolStart       []PoolStart      `json:"pool_start,omitempty"`
	RoundTrip       []RoundTrip      `json:"roundtrip,omitempty"`
	Scaling         []Scaling        `json:"scaling,omitempty"`
	Throughput      []Throughput     `json:"throughput,omitempty"`
	Payload         []Payload        `json:"payload,omitempty"`
	PayloadLimit    []LimitCheck     `json:"payload_limit,omitempty"`
	Primes          []Primes         `json:"primes,omitempty"`
	Memory          []Memory         `json:"memory,omitempty"`
	GoroutineMemory *GoroutineMemory `json:"goroutine_memory,omitempty"`
	Replace         []Replace        `json:"replace,omitempty"`
	Fetch           []Fetch          `json:"fetch,omitempty"`
	Python          *Python          `json:"python,omitempty"`
	Ratios          []Ratio          `json:"ratios,omitempty"`
	Notes           []string         `json:"notes"`
	ElapsedNs       int64            `json:"elapsed_ns"`
}

// Machine is where the run happened.
type Machine struct {
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Kernel     string `json:"kernel,omitempty"`
}

// Settings are the options the run used, defaults filled in.
type Settings struct {
	Only          []string `json:"only"`
	Quick         bool     `json:"quick"`
	Workers       int      `json:"workers"`
	IPCs          []string `json:"ipcs"`
	DurationNs    int64    `json:"duration_ns"`
	Tasks         int      `json:"tasks"`
	Starts        int      `json:"starts"`
	Kills         int      `json:"kills"`
	Sizes         []int    `json:"sizes"`
	MaxPayload    int      `json:"max_payload"`
	InFlight      int      `json:"in_flight"`
	Chunksize     int      `json:"chunksize"`
	Repeat        int      `json:"repeat"`
	Goroutines    int      `json:"goroutines"`
	FetchDelayNs  int64    `json:"fetch_delay_ns"`
	Rounds        int      `json:"rounds"`
	Python        bool     `json:"python"`
	WorkerProcess string   `json:"worker_process"`
}

func machine() Machine {
	m := Machine{GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0)}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

func settings(o Options) Settings {
	s := Settings{Only: o.Only, Quick: o.Quick, Workers: o.Workers, DurationNs: int64(o.Duration),
		Tasks: o.Tasks, Starts: o.Starts, Kills: o.Kills, Sizes: o.Sizes, MaxPayload: o.MaxPayload,
		InFlight: o.InFlight, Chunksize: o.Chunksize, Repeat: o.Repeat, Goroutines: o.Goroutines,
		FetchDelayNs: int64(o.FetchDelay), Python: o.Python != "", Rounds: o.Rounds,
		WorkerProcess: "this binary, re-executed as a worker"}
	if o.WorkerCommand != nil {
		s.WorkerProcess = o.WorkerName
		if s.WorkerProcess == "" {
			s.WorkerProcess = "Options.WorkerCommand"
		}
	}
	for _, p := range o.IPCs {
		s.IPCs = append(s.IPCs, string(p))
	}
	return s
}

// elapsedSince is a Report's ElapsedNs.
func elapsedSince(t time.Time) int64 { return int64(time.Since(t)) }
