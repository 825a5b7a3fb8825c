package main

import (
	"fmt"
	"github.com/procpool/supervisor/internal/demo"

	"github.com/procpool/supervisor/supervisor"
)

// Upper bounds of the workload's numbers. Each keeps a typo or an
// overflow (--repeat=9223372036854775807) from ending in a panic, an
// out-of-memory kill or a hang (issue #9), and is far above what a run on
// one machine can use.
const (
	// maxWorkers: a worker process costs ~2 MiB and ~10 threads; a few
	// thousand meet the OS's default process and thread limits.
	maxWorkers = 4096
	// maxTasks: every task's result is kept until the summary, about
	// 1.1 KiB each (measured), so ten million is ~11 GiB.
	maxTasks = 10_000_000
	// maxInputBytes bounds the workload's inputs together, repeats
	// included: they are held in memory for the whole run.
	maxInputBytes = 1 << 30
	maxRetries    = 100
	maxInFlight   = 1024
	maxChunksize  = 100_000
	maxPayload    = 1 << 30
)

const tasksBoundHelp = "at most 10000000 tasks in a run: each result is kept, ~1 KiB, until the summary"

func boundHelp(what string, bound int, why string) string {
	if why != "" {
		return fmt.Sprintf("%s, at most %d: %s", what, bound, why)
	}
	return fmt.Sprintf("%s, at most %d", what, bound)
}

// check validates every flag, before anything starts.
func (o *options) check() error {
	if err := o.checkNumbers(); err != nil {
		return err
	}
	if err := o.checkCombinations(); err != nil {
		return err
	}
	var err error
	if o.mode, err = supervisor.ParseMode(o.modeName); err != nil {
		return usagef("--mode=%s: want process or thread", o.modeName)
	}
	if o.ipc, err = supervisor.ParseIPC(o.ipcName); err != nil {
		return usagef("--ipc=%s: want frame, stream or grpc", o.ipcName)
	}
	if _, err := demo.Lookup(o.task); err != nil {
		return usagef("--task=%s: unknown task%s (see supervisor tasks)", o.task, didYouMean(o.task, taskNames(), identity))
	}
	if o.poolSpecs, err = parsePools(o.pools); err != nil {
		return err
	}
	if o.chaos != "" {
		if o.chaosEvery, o.chaosSignal, err = parseChaos(o.chaos); err != nil {
			return err
		}
	}
	return nil
}

func identity(s string) string { return s }

// bounded is a check that a flag's number n is within [lo, hi].
type bounded struct {
	flag   string
	n      int
	lo, hi int
}

func (o *options) checkNumbers() error {
	for _, b := range []bounded{
		{"workers", o.workers, 1, maxWorkers},
		{"repeat", o.repeat, 1, maxTasks},
		{"retries", o.retries, 0, maxRetries},
		{"poison-after", o.poison, 1, maxRetries},
		{"max-restarts", o.maxRestart, 1, 1_000_000},
		{"max-tasks-per-worker", o.maxTasks, 0, 1 << 30},
		{"spares", o.spares, 0, o.workers},
		{"in-flight", o.inFlight, 0, maxInFlight},
		{"chunksize", o.chunksize, 1, maxChunksize},
	} {
		if b.n < b.lo || b.n > b.hi {
			return usagef("--%s=%d: want from %d to %d", b.flag, b.n, b.lo, b.hi)
		}
	}
	switch {
	case o.timeout < 0:
		return usagef("--timeout=%s: want a positive duration, or 0s for none", o.timeout)
	case o.grace <= 0:
		return usagef("--grace=%s: want a positive duration", o.grace)
	case o.window <= 0:
		return usagef("--restart-window=%s: want a positive duration", o.window)
	case o.fetchDelay < 0:
		return usagef("--fetch-delay=%s: want a duration of 0s or more", o.fetchDelay)
	case o.maxPayload < 1 || o.maxPayload > maxPayload:
		return usagef("--max-payload=%s: want from 1 byte to 1GiB", formatSize(o.maxPayload))
	case o.maxRSS < 0:
		return usagef("--max-worker-rss=%d: want a size, or 0 for no limit", o.maxRSS)
	}
	return nil
}

func (o *options) checkCombinations() error {
	switch {
	case o.chunksize > 1 && len(o.adds) > 0:
		return usagef("--chunksize=%d runs one kind of task through Map; drop --add", o.chunksize)
	case o.gil && o.modeName != "thread":
		return usagef("--gil applies to thread mode: each worker process would have a GIL of its own, which is why Python reaches for processes")
	case o.cpuAffinity && o.modeName != "process":
		return usagef("--cpu-affinity applies to process mode: goroutines move between threads")
	case o.linger < 0:
		return usagef("--linger=%s: want a duration of 0s or more", o.linger)
	case o.linger > 0 && o.metricsAddr == "":
		return usagef("--linger=%s keeps the metrics endpoint up: add --metrics-addr", o.linger)
	}
	return checkPushURL(o.push)
}
