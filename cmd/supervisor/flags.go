package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/procpool/supervisor/supervisor"
)

// options are the flags of a workload run.
type options struct {
	mode       supervisor.Mode
	workers    int
	task       string
	repeat     int
	adds       []string // TASK[:INPUT][*N], mixed into the workload
	json       bool
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
	ui          string // auto, tui or plain
	metricsAddr string // serve Prometheus metrics here; empty: off

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

// newFlagSet declares the workload flags on o. Errors are returned, not
// printed: the caller prints one line.
func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("supervisor", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Func("mode", "process or thread (default process)", func(s string) (err error) {
		o.mode, err = supervisor.ParseMode(s)
		return err
	})
	fs.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "number of workers")
	fs.StringVar(&o.task, "task", "primes", "task to run (see supervisor tasks)")
	fs.IntVar(&o.repeat, "repeat", 1, "run the argument list this many times")
	fs.Func("add", "TASK[:INPUT][*N]: mix N tasks of another kind into the workload (repeatable), e.g. segv", func(s string) error {
		o.adds = append(o.adds, s)
		return nil
	})
	fs.BoolVar(&o.json, "json", false, "print JSON Lines: one object per task, then a summary")
	fs.Func("ipc", "process mode data path: grpc, stream or frame", func(s string) (err error) {
		o.ipc, err = supervisor.ParseIPC(s)
		return err
	})
	fs.DurationVar(&o.timeout, "timeout", 0, "per-task timeout (0: none)")
	fs.DurationVar(&o.grace, "grace", supervisor.DefaultGrace, "wait between the steps of the kill ladder")
	fs.IntVar(&o.retries, "retries", supervisor.DefaultRetries, "re-runs of a task whose worker died")
	fs.IntVar(&o.poison, "poison-after", supervisor.DefaultPoisonAfter, "quarantine a task that killed this many workers")
	fs.IntVar(&o.maxRestart, "max-restarts", supervisor.DefaultMaxRestarts, "give up after more unplanned restarts than this ...")
	fs.DurationVar(&o.window, "restart-window", supervisor.DefaultRestartWindow, "... within this window")
	fs.IntVar(&o.maxTasks, "max-tasks-per-worker", 0, "recycle a worker after this many tasks (0: never)")
	fs.Func("max-worker-rss", "replace a worker process over this RSS, e.g. 256MiB (0: no limit)", func(s string) (err error) {
		o.maxRSS, err = parseSize(s)
		return err
	})
	fs.IntVar(&o.spares, "spares", supervisor.DefaultSpares, "warm spare worker processes")
	fs.IntVar(&o.inFlight, "in-flight", 1, "tasks (or chunks) outstanding per worker (pipelining)")
	fs.IntVar(&o.chunksize, "chunksize", 1, "tasks per message, through Map, like Python's map(chunksize=...)")
	o.maxPayload = supervisor.DefaultMaxPayload
	fs.Func("max-payload", "largest task input or output in process mode, e.g. 64MiB", func(s string) (err error) {
		o.maxPayload, err = parseSize(s)
		return err
	})
	fs.DurationVar(&o.fetchDelay, "fetch-delay", 300*time.Millisecond, "delay of the built-in pages for fetch")
	fs.StringVar(&o.logLevel, "log-level", "warn", "debug, info, warn or error")
	fs.StringVar(&o.logFormat, "log-format", "text", "text or json (logs go to stderr)")
	fs.StringVar(&o.ui, "ui", "auto", "auto, tui or plain: auto is the live view when stdout is a terminal and --json is off")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "serve Prometheus metrics at this address, e.g. 127.0.0.1:9464")
	fs.StringVar(&o.chaos, "chaos", "", "kill a random busy worker at a rate, e.g. kill:every=200ms")
	fs.StringVar(&o.control, "control", "", "control socket path for ps and kill (default: in the per-user runtime directory)")
	fs.BoolVar(&o.gil, "gil", false, "thread mode: hold one global lock while each task computes, emulating CPython's GIL")
	fs.Func("pool", "NAME=N:TASK[,TASK...]: dedicate N workers to these tasks (repeatable)", func(s string) error {
		o.pools = append(o.pools, s)
		return nil
	})
	fs.BoolVar(&o.cpuAffinity, "cpu-affinity", false, "process mode: pin each worker process to one CPU")
	return fs
}

// negative matches arguments that look like negative numbers: they are
// task inputs (refused by the task, with its own message), not flags.
var negative = regexp.MustCompile(`^-[0-9]`)

// parseOptions parses flags and positional arguments in any order.
func parseOptions(args []string) (*options, error) {
	o := &options{}
	fs := newFlagSet(o)
	var rest []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, rest = args[:i], args[i+1:]
	}
	for len(args) > 0 {
		if negative.MatchString(args[0]) {
			o.args = append(o.args, args[0])
			args = args[1:]
			continue
		}
		if err := fs.Parse(args); err != nil {
			return nil, flagError(err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		o.args = append(o.args, args[0])
		args = args[1:]
	}
	o.args = append(o.args, rest...)
	return o, o.check()
}

// flagError turns the flag package's messages into one line that names the
// bad value and points at the help.
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "flag provided but not defined: ") {
		return usagef("unknown flag %s (see supervisor --help)", strings.TrimPrefix(msg, "flag provided but not defined: "))
	}
	return usagef("%s (see supervisor --help)", msg)
}

func (o *options) check() error {
	switch {
	case o.workers < 1:
		return usagef("--workers=%d: want at least 1", o.workers)
	case o.repeat < 1:
		return usagef("--repeat=%d: want at least 1", o.repeat)
	case o.timeout < 0:
		return usagef("--timeout=%s: want a positive duration, or 0 for none", o.timeout)
	case o.grace <= 0:
		return usagef("--grace=%s: want a positive duration", o.grace)
	case o.inFlight < 1:
		return usagef("--in-flight=%d: want at least 1", o.inFlight)
	case o.chunksize < 1:
		return usagef("--chunksize=%d: want at least 1", o.chunksize)
	case o.chunksize > 1 && len(o.adds) > 0:
		return usagef("--chunksize=%d runs one kind of task through Map; drop --add", o.chunksize)
	case o.maxPayload < 1 || o.maxPayload > 1<<30:
		return usagef("--max-payload=%d: want from 1 byte to 1GiB", o.maxPayload)
	case o.maxRestart < 1:
		return usagef("--max-restarts=%d: want at least 1", o.maxRestart)
	case o.window <= 0:
		return usagef("--restart-window=%s: want a positive duration", o.window)
	case o.poison < 1:
		return usagef("--poison-after=%d: want at least 1", o.poison)
	case o.fetchDelay < 0:
		return usagef("--fetch-delay=%s: want a duration of 0 or more", o.fetchDelay)
	}
	if _, err := parseLogLevel(o.logLevel); err != nil {
		return err
	}
	if o.logFormat != "text" && o.logFormat != "json" {
		return usagef("--log-format=%s: want text or json", o.logFormat)
	}
	if o.ui != "auto" && o.ui != "tui" && o.ui != "plain" {
		return usagef("--ui=%s: want auto, tui or plain", o.ui)
	}
	if o.gil && o.mode != supervisor.ModeThread {
		return usagef("--gil applies to thread mode: each worker process would have a GIL of its own, which is why Python reaches for processes")
	}
	if o.cpuAffinity && o.mode != supervisor.ModeProcess {
		return usagef("--cpu-affinity applies to process mode: goroutines move between threads")
	}
	var err error
	if o.poolSpecs, err = parsePools(o.pools); err != nil {
		return err
	}
	if o.chaos != "" {
		var err error
		if o.chaosEvery, o.chaosSignal, err = parseChaos(o.chaos); err != nil {
			return err
		}
	}
	return nil
}

// parseSize reads a size such as 256MiB, 1GiB, 64k or 1048576.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"k", 1 << 10}, {"B", 1}}
	num, mult := s, int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			num, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size (want e.g. 256MiB, 1GiB or a number of bytes)", s)
	}
	return n * mult, nil
}
