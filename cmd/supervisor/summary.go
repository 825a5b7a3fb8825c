package main

import (
	"slices"
	"syscall"
	"time"

	"github.com/procpool/supervisor/supervisor"
)

// A summary is what a run cost, in the units the JSON carries.
type summary struct {
	Type      string            `json:"type"`
	Mode      string            `json:"mode"`
	IPC       string            `json:"ipc,omitempty"`
	Workers   int               `json:"workers"`
	PIDs      []int             `json:"pids"`
	Processes []processSummary  `json:"processes"`
	Tasks     int               `json:"tasks"`
	OK        int               `json:"ok"`
	Failed    int               `json:"failed"`
	Statuses  map[string]int    `json:"statuses"`
	Restarts  int               `json:"restarts"`
	WallNs    int64             `json:"wall_ns"`
	Startup   startupSummary    `json:"startup"`
	CPU       cpuSummary        `json:"cpu"`
	Overhead  percentileSummary `json:"overhead"`
	Exec      percentileSummary `json:"exec"`
	PeakRSS   rssSummary        `json:"peak_rss"`
}

type processSummary struct {
	Worker    int    `json:"worker"`
	PID       int    `json:"pid"`
	StartupNs int64  `json:"startup_ns"`
	CPUNs     int64  `json:"cpu_ns"`
	PeakRSS   int64  `json:"peak_rss_bytes"`
	Exit      string `json:"exit"`
	Planned   bool   `json:"planned"` // the supervisor ended it itself
	Spare     bool   `json:"spare"`
}

type startupSummary struct {
	AllNs int64 `json:"all_ns"` // New, starting every worker in parallel
	P50Ns int64 `json:"p50_ns"` // one worker: spawn to first reply
	MaxNs int64 `json:"max_ns"`
}

type cpuSummary struct {
	SupervisorNs int64 `json:"supervisor_ns"`
	WorkersNs    int64 `json:"workers_ns"` // 0 in thread mode: the workers are the supervisor
}

type percentileSummary struct {
	P50Ns int64 `json:"p50_ns"`
	P99Ns int64 `json:"p99_ns"`
	N     int   `json:"n"`
}

type rssSummary struct {
	SupervisorBytes int64 `json:"supervisor_bytes"`
	WorkerMaxBytes  int64 `json:"worker_max_bytes"` // the largest worker process; 0 in thread mode
}

// A tally counts a run's results as they come, in memory that does not
// grow with their number: statuses, and the overhead and exec times in
// histograms.
type tally struct {
	n, ok, failed  int
	statuses       map[string]int
	overhead, exec histogram
}

func (t *tally) add(r supervisor.Result) {
	if t.statuses == nil {
		t.statuses = map[string]int{}
	}
	t.n++
	t.statuses[r.Status.String()]++
	if r.Status == supervisor.StatusOK {
		t.ok++
	} else {
		t.failed++
	}
	if r.Exec > 0 { // the worker answered; a killed task's round trip is no measure of IPC
		t.overhead.add(r.Overhead())
		t.exec.add(r.Exec)
	}
}

func summarize(s live, t *tally, wall time.Duration) summary {
	cfg, st := s.Config(), s.Stats()
	sum := summary{Type: "summary", Mode: cfg.Mode.String(), Workers: len(st.Workers),
		Tasks: t.n, OK: t.ok, Failed: t.failed, Statuses: t.statuses, WallNs: int64(wall)}
	if sum.Statuses == nil {
		sum.Statuses = map[string]int{}
	}
	if cfg.Mode == supervisor.ModeProcess {
		sum.IPC = string(cfg.IPC)
	}
	sum.Overhead, sum.Exec = t.overhead.percentiles(), t.exec.percentiles()
	for _, w := range st.Workers {
		sum.Restarts += int(w.Restarts)
	}
	sum.Startup.AllNs = int64(st.Startup)
	sum.CPU.SupervisorNs, sum.PeakRSS.SupervisorBytes = selfUsage()
	var startups []time.Duration
	for _, p := range st.Processes {
		sum.PIDs = append(sum.PIDs, p.PID)
		sum.Processes = append(sum.Processes, processSummary{Worker: p.Worker, PID: p.PID,
			StartupNs: int64(p.Startup), CPUNs: int64(p.CPU), PeakRSS: p.PeakRSS, Exit: p.Exit, Planned: p.Planned, Spare: p.Spare})
		startups = append(startups, p.Startup)
		sum.CPU.WorkersNs += int64(p.CPU)
		sum.PeakRSS.WorkerMaxBytes = max(sum.PeakRSS.WorkerMaxBytes, p.PeakRSS)
	}
	sum.PIDs = slices.Compact(sum.PIDs)
	ps := percentiles(startups)
	sum.Startup.P50Ns = ps.P50Ns
	if len(startups) > 0 {
		sum.Startup.MaxNs = int64(slices.Max(startups))
	}
	return sum
}

// percentiles gives the nearest-rank p50 and p99 of ds.
func percentiles(ds []time.Duration) percentileSummary {
	if len(ds) == 0 {
		return percentileSummary{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := func(p float64) int64 {
		i := int(p*float64(len(s))+0.999999) - 1
		return int64(s[min(max(i, 0), len(s)-1)])
	}
	return percentileSummary{P50Ns: rank(0.50), P99Ns: rank(0.99), N: len(s)}
}

// selfUsage is the supervisor process's own CPU time and peak RSS.
func selfUsage() (cpuNs, peakRSS int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return int64(cpu), ru.Maxrss * 1024
}
