package main

import (
	"github.com/procpool/supervisor/internal/demo"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/procpool/supervisor/supervisor"
)

// options are the flags of a workload run.
type options struct {
	modeName   string
	mode       supervisor.Mode
	workers    int
	task       string
	repeat     int
	adds       []string // TASK[:INPUT][*N], mixed into the workload
	json       bool
	ipcName    string
	ipc        supervisor.IPC
	timeout    time.Duration
	grace      time.Duration
	retries    int
	poison     int
	maxRestart int
	window     time.Duration
	maxTasks   int
	maxRSS     int64
	spares     int
	inFlight   int
	chunksize  int
	maxPayload int64
	fetchDelay time.Duration
	logLevel   string
	logFormat  string

	// Live view and operations (docs/live.md).
	ui          string        // auto, tui or plain
	metricsAddr string        // serve Prometheus metrics here; empty: off
	linger      time.Duration // keep serving them this long after the run
	push        string        // push them to this Pushgateway when the run ends; empty: off

	// Isolation and killability (docs/isolation.md).
	chaos       string // e.g. kill:every=200ms
	chaosEvery  time.Duration
	chaosSignal syscall.Signal
	control     string // control socket path; empty: the per-user default

	// The seed's claims (docs/seed-claims.md).
	gil         bool
	pools       []string // NAME=N:TASK[,TASK...]
	poolSpecs   []supervisor.Pool
	cpuAffinity bool

	args []string
}

// addWorkloadFlags declares the workload flags on fs, into o, with their
// defaults.
func addWorkloadFlags(fs *pflag.FlagSet, o *options) {
	fs.Var(newChoice(&o.modeName, "process", "process", "thread"), "mode", "isolation `mode`: process (each worker an OS process) or thread (each a goroutine in this one)")
	fs.Var(newInt(&o.workers, runtime.GOMAXPROCS(0)), "workers", boundHelp("number of workers", maxWorkers, "beyond that the OS's process and thread limits, not the pool, decide"))
	fs.StringVar(&o.task, "task", "primes", "task to run (see supervisor tasks)")
	fs.Var(newInt(&o.repeat, 1), "repeat", "run the argument list this many times ("+tasksBoundHelp+")")
	fs.Var(&listValue{&o.adds}, "add", "mix N tasks of another kind into the workload, `TASK[:INPUT][*N]` (repeatable), e.g. segv*3")
	fs.BoolVar(&o.json, "json", false, "print JSON Lines: one object per task, then a summary")
	fs.Var(newChoice(&o.ipcName, string(supervisor.IPCFrame), "frame", "stream", "grpc"), "ipc", "process mode's data `path`: frame, stream or grpc")
	fs.Var(newDuration(&o.timeout, 0), "timeout", "per-task timeout; 0s: none")
	fs.Var(newDuration(&o.grace, supervisor.DefaultGrace), "grace", "wait between the steps of the kill ladder")
	fs.Var(newInt(&o.retries, supervisor.DefaultRetries), "retries", boundHelp("re-runs of a task whose worker died", maxRetries, ""))
	fs.Var(newInt(&o.poison, supervisor.DefaultPoisonAfter), "poison-after", boundHelp("quarantine a task that killed this many workers", maxRetries, ""))
	fs.Var(newInt(&o.maxRestart, supervisor.DefaultMaxRestarts), "max-restarts", "give up after more unplanned restarts than this ...")
	fs.Var(newDuration(&o.window, supervisor.DefaultRestartWindow), "restart-window", "... within this window")
	fs.Var(newInt(&o.maxTasks, 0), "max-tasks-per-worker", "recycle a worker after this many tasks; 0: never")
	fs.Var(newSize(&o.maxRSS, 0), "max-worker-rss", "replace a worker process over this RSS, e.g. 256MiB; 0: no limit")
	fs.Var(newInt(&o.spares, supervisor.DefaultSpares), "spares", "warm spare worker processes, at most --workers (more would only cost memory)")
	fs.Var(newInt(&o.inFlight, 0), "in-flight", boundHelp("tasks (or chunks) outstanding per worker (pipelining); 0: "+
		strconv.Itoa(autoInFlight)+" in process mode, 1 with --timeout (a timeout would count the wait behind other tasks)", maxInFlight, ""))
	fs.Var(newInt(&o.chunksize, 1), "chunksize", boundHelp("tasks per message, through Map, like Python's map(chunksize=...)", maxChunksize, ""))
	fs.Var(newSize(&o.maxPayload, supervisor.DefaultMaxPayload), "max-payload", "largest task input or output in process mode, up to 1GiB")
	fs.Var(newDuration(&o.fetchDelay, 300*time.Millisecond), "fetch-delay", "delay of the built-in pages for fetch")
	fs.Var(newChoice(&o.logLevel, "warn", "debug", "info", "warn", "error"), "log-level", "`level` of the logs: debug, info, warn or error")
	fs.Var(newChoice(&o.logFormat, "text", "text", "json"), "log-format", "`format` of everything on stderr: text or json")
	fs.Var(newChoice(&o.ui, "auto", "auto", "tui", "plain"), "ui", "the `view`: auto, tui or plain; auto is the live view when stdout is a terminal and --json is off")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "serve Prometheus metrics at this `address`, e.g. 127.0.0.1:9464; empty: off")
	fs.Var(newDuration(&o.linger, 0), "linger", "keep the metrics endpoint up this long after the run, for a last scrape (Ctrl-C ends it early)")
	fs.StringVar(&o.push, "push", "", "push the metrics to this Prometheus Pushgateway `URL` when the run ends, e.g. http://127.0.0.1:9091; empty: off")
	fs.StringVar(&o.chaos, "chaos", "", "kill a random busy worker at a rate, e.g. kill:every=200ms; empty: off")
	fs.StringVar(&o.control, "control", "", "control socket `path` for ps and kill; empty: one in the per-user runtime directory")
	fs.BoolVar(&o.gil, "gil", false, "thread mode: hold one global lock while each task computes, emulating CPython's GIL")
	fs.Var(&listValue{&o.pools}, "pool", "dedicate N workers to some tasks, `NAME=N:TASK[,TASK...]` (repeatable)")
	fs.BoolVar(&o.cpuAffinity, "cpu-affinity", false, "process mode: pin each worker process to one CPU")
}

// taskNames lists the tasks, for suggestions and completion.
func taskNames() []string {
	var names []string
	for _, d := range demo.Tasks() {
		names = append(names, d.Name)
	}
	return names
}
