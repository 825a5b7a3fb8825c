package supervisor

import (
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"runtime"
	"time"

	"github.com/procpool/supervisor/worker"
)

// Mode is the isolation level of the workers.
type Mode int

const (
	// ModeProcess runs every worker as a separate OS process. The default.
	ModeProcess Mode = iota
	// ModeThread runs every worker as a goroutine in this process.
	ModeThread
)

func (m Mode) String() string {
	if m == ModeThread {
		return "thread"
	}
	return "process"
}

// ParseMode parses "process" or "thread".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "process":
		return ModeProcess, nil
	case "thread":
		return ModeThread, nil
	}
	return 0, fmt.Errorf("unknown mode %q (want process or thread)", s)
}

// IPC names a data path for process mode: how tasks and results travel
// between the supervisor and a worker process.
type IPC string

const (
	IPCGRPC   IPC = "grpc"   // one gRPC unary call per task
	IPCStream IPC = "stream" // one long-lived gRPC stream per worker
	IPCFrame  IPC = "frame"  // length-prefixed frames on a socketpair
)

// ParseIPC parses a data path's name.
func ParseIPC(s string) (IPC, error) {
	switch ipc := IPC(s); ipc {
	case IPCGRPC, IPCStream, IPCFrame:
		return ipc, nil
	}
	return "", fmt.Errorf("unknown data path %q (want grpc, stream or frame)", s)
}

// A Pool is a group of workers dedicated to some tasks (asymmetric
// multiprocessing). Tasks names the tasks the pool takes; empty means any.
type Pool struct {
	Name    string
	Workers int
	Tasks   []string
}

// Config configures a Supervisor. The zero value is a process pool with
// one worker per CPU and the defaults documented on each field.
type Config struct {
	// Mode is the workers' isolation level. Default ModeProcess.
	Mode Mode
	// Workers is the number of workers. Default runtime.GOMAXPROCS(0).
	// Ignored when Pools is set.
	Workers int
	// Pools splits the workers into groups that take only some tasks. A
	// task no pool takes fails with ErrNoPool. Default: one pool of
	// Workers workers taking every task.
	Pools []Pool
	// IPC is process mode's data path. Default IPCFrame: the fastest
	// (docs/benchmarks.md); gRPC stays the control plane on every path.
	IPC IPC
	// InFlight is how many tasks (or Map chunks) may be outstanding on one
	// worker at once; more than one pipelines them to hide the round trip.
	// A worker still runs them one at a time. It is a bound: a worker gets
	// more than one at a time only while its tasks run for less than
	// PipelineBelow each, so that tasks queued behind a long one do not wait
	// while another worker is idle. Default 1; thread mode always uses 1.
	InFlight int
	// Retries is how many times a task whose worker died under it is run
	// again on a fresh worker. Only the task that was executing is charged
	// with a death; a task's own error is never retried. Default 1;
	// negative means never.
	Retries int
	// PoisonAfter quarantines a task once it has killed this many workers
	// itself: crashed them (a fault signal, a panic or fatal error, an
	// exit). A SIGKILL or SIGTERM the supervisor did not send (kill(1), the
	// OOM killer) costs a retry but is no evidence against the task.
	// Default 2.
	PoisonAfter int
	// MaxRestarts and RestartWindow bound unplanned worker restarts: more
	// than MaxRestarts within RestartWindow stops the pool with ErrGaveUp.
	// Defaults 100 and 10s. Restarts the supervisor causes itself (timeouts,
	// recycling, memory limits, requested kills) do not count.
	MaxRestarts   int
	RestartWindow time.Duration
	// BackoffMin and BackoffMax bound the delay before restarting a worker
	// that died again without completing a task; it doubles each time, with
	// jitter. A worker that completed tasks is restarted at once. Defaults
	// 10ms and 1s.
	BackoffMin, BackoffMax time.Duration
	// MaxTasksPerWorker recycles a worker after that many tasks. Default 0,
	// never.
	MaxTasksPerWorker int
	// MaxWorkerRSS replaces a worker process whose resident memory passes
	// it, in bytes, failing its task with ErrMemoryLimit. Default 0, no
	// limit. Thread mode cannot enforce it.
	MaxWorkerRSS int64
	// Timeout bounds each attempt at a task. Default 0, none. In process
	// mode a task that ignores it is killed with its worker; in thread mode
	// its goroutine is abandoned.
	Timeout time.Duration
	// Grace is how long each step of the kill ladder waits: cancel, then
	// SIGTERM, then SIGKILL (process mode), or cancel, then abandon (thread
	// mode). Default 500ms.
	Grace time.Duration
	// Spares is how many warm spare worker processes wait to replace a dead
	// one at once. Default 1 in process mode; negative means none.
	Spares int
	// MaxPayload bounds a task's input and output in process mode, in
	// bytes. Default 64 MiB.
	MaxPayload int
	// MaxQueued bounds the tasks waiting for a worker: Submit then waits
	// for room, under its context, and TrySubmit returns ErrQueueFull.
	// Default 0: no bound (Python's executors have none either). Map keeps
	// its own window of chunks in flight, whatever this is.
	MaxQueued int
	// StartTimeout bounds a worker process's spawn and handshake. Default 30s.
	StartTimeout time.Duration
	// Logger receives the supervisor's and the workers' logs. Default:
	// discard.
	Logger *slog.Logger
	// WorkerLogLevel is the level worker processes log at. Default info.
	WorkerLogLevel slog.Level
	// OnEvent, if set, is called for every Event, from the supervisor's
	// goroutines: it must not block.
	OnEvent func(Event)
	// Registry is where thread-mode workers find their tasks. Default
	// worker.Default. Worker processes serve the registry of their own
	// program (worker.Default), filled at package level as this one is.
	Registry *worker.Registry
	// CPUAffinity, in process mode, pins each worker process to one CPU:
	// worker N to CPU (N-1) modulo the CPUs this process may use.
	CPUAffinity bool
	// WorkerCommand returns the command that starts a worker process; it
	// must end up in ServeWorker. Default: this executable with the
	// argument "worker".
	WorkerCommand func() (*exec.Cmd, error)
}

// Defaults for the zero values of Config.
const (
	DefaultRetries       = 1
	DefaultPoisonAfter   = 2
	DefaultMaxRestarts   = 100
	DefaultRestartWindow = 10 * time.Second
	DefaultBackoffMin    = 10 * time.Millisecond
	DefaultBackoffMax    = time.Second
	DefaultGrace         = 500 * time.Millisecond
	DefaultSpares        = 1
	DefaultMaxPayload    = 64 << 20
)

// ErrConfig is wrapped by New's error for a configuration it cannot use.
var ErrConfig = errors.New("bad configuration")

func (c Config) withDefaults() Config {
	if c.Workers == 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if len(c.Pools) == 0 {
		c.Pools = []Pool{{Name: "default", Workers: c.Workers}}
	}
	if c.IPC == "" {
		c.IPC = IPCFrame
	}
	if c.InFlight <= 0 || c.Mode == ModeThread {
		c.InFlight = 1
	}
	c.Retries = orDefault(c.Retries, DefaultRetries)
	c.PoisonAfter = orDefault(c.PoisonAfter, DefaultPoisonAfter)
	c.MaxRestarts = orDefault(c.MaxRestarts, DefaultMaxRestarts)
	c.RestartWindow = orDefault(c.RestartWindow, DefaultRestartWindow)
	c.BackoffMin = orDefault(c.BackoffMin, DefaultBackoffMin)
	c.BackoffMax = orDefault(c.BackoffMax, DefaultBackoffMax)
	c.Grace = orDefault(c.Grace, DefaultGrace)
	c.MaxPayload = orDefault(c.MaxPayload, DefaultMaxPayload)
	if c.Spares == 0 && c.Mode == ModeProcess {
		c.Spares = DefaultSpares
	}
	if c.Spares < 0 || c.Mode == ModeThread {
		c.Spares = 0
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	if v < 0 {
		return 0
	}
	return v
}

func (c Config) validate() error {
	if c.Mode != ModeProcess && c.Mode != ModeThread {
		return fmt.Errorf("%w: unknown mode %d", ErrConfig, c.Mode)
	}
	if _, err := ParseIPC(string(c.IPC)); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if c.Workers < 0 {
		return fmt.Errorf("%w: %d workers", ErrConfig, c.Workers)
	}
	if c.CPUAffinity && c.Mode != ModeProcess {
		return fmt.Errorf("%w: CPU affinity applies to process mode; goroutines move between threads", ErrConfig)
	}
	seen := map[string]bool{}
	for _, p := range c.Pools {
		if p.Workers < 1 {
			return fmt.Errorf("%w: pool %q has %d workers, want at least 1", ErrConfig, p.Name, p.Workers)
		}
		if seen[p.Name] {
			return fmt.Errorf("%w: pool %q named twice", ErrConfig, p.Name)
		}
		seen[p.Name] = true
	}
	return nil
}

// processes is how many workers start at once: every pool's, and the
// spares in process mode.
func (c Config) processes() int {
	n := c.Spares
	for _, p := range c.Pools {
		n += p.Workers
	}
	return n
}
