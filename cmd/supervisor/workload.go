package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/procpool/supervisor/internal/pages"
	"github.com/procpool/supervisor/internal/units"
	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// runWorkload runs one workload: the seed's primes by default.
func runWorkload(args []string, stdout, stderr io.Writer) exitCode {
	o, err := parseOptions(args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout)
		return exitOK
	}
	if err != nil {
		return report(stderr, err)
	}
	tasks, cleanup, err := workloadTasks(o)
	if err != nil {
		return report(stderr, err)
	}
	defer cleanup()
	if err := checkRouted(o.poolSpecs, tasks); err != nil {
		return report(stderr, err)
	}
	return execute(o, tasks, stdout, stderr)
}

// workloadTasks is the run's task list: --task with its arguments,
// repeated, and the --add tasks in the middle, where they hit a busy pool.
func workloadTasks(o *options) ([]worker.Task, func(), error) {
	site := &pageServer{delay: o.fetchDelay}
	inputs, err := workloadInputs(o, site)
	if err != nil {
		site.close()
		return nil, func() {}, err
	}
	cleanup := site.close
	tasks := make([]worker.Task, 0, len(inputs))
	for _, in := range inputs {
		tasks = append(tasks, worker.Task{Name: o.task, Input: []byte(in)})
	}
	var extra []worker.Task
	for _, spec := range o.adds {
		more, err := parseAdd(spec, site)
		if err != nil {
			cleanup()
			return nil, func() {}, err
		}
		extra = append(extra, more...)
	}
	mid := len(tasks) / 2
	return slices.Concat(tasks[:mid], extra, tasks[mid:]), cleanup, nil
}

// parseAdd reads TASK[:INPUT][*N]: N tasks of TASK with INPUT (default:
// the task's first default input; for fetch, the built-in pages in turn).
func parseAdd(spec string, site *pageServer) ([]worker.Task, error) {
	body, count := spec, 1
	if i := strings.LastIndexByte(spec, '*'); i >= 0 {
		n, err := strconv.Atoi(spec[i+1:])
		if err != nil || n < 1 {
			return nil, usagef("--add=%s: the count after * must be a positive number", spec)
		}
		body, count = spec[:i], n
	}
	name, input, hasInput := strings.Cut(body, ":")
	def, err := worker.Lookup(name)
	if err != nil {
		return nil, usagef("--add=%s: unknown task %q (see supervisor tasks)", spec, name)
	}
	inputs := []string{input}
	switch {
	case hasInput:
	case name == "fetch":
		if inputs, err = site.urls(); err != nil {
			return nil, err
		}
	case len(def.Defaults) > 0:
		inputs = def.Defaults[:1]
	default:
		return nil, usagef("--add=%s: task %s needs an input: %s:INPUT", spec, name, name)
	}
	if err := worker.CheckInput(name, inputs[0]); err != nil {
		return nil, usagef("--add=%s: %v", spec, err)
	}
	out := make([]worker.Task, count)
	for i := range out {
		out[i] = worker.Task{Name: name, Input: []byte(inputs[i%len(inputs)])}
	}
	return out, nil
}

// workloadInputs checks the task and its arguments, and supplies the
// defaults: the seed's list for primes, the built-in pages (and the seed's
// made-up host) for fetch.
func workloadInputs(o *options, site *pageServer) ([]string, error) {
	def, err := worker.Lookup(o.task)
	if err != nil {
		return nil, usagef("--task=%s: unknown task (see supervisor tasks)", o.task)
	}
	inputs := o.args
	switch {
	case len(inputs) > 0:
	case o.task == "fetch":
		urls, err := site.urls()
		if err != nil {
			return nil, err
		}
		inputs = append(urls, worker.MadeUpURL)
	default:
		inputs = def.Defaults
	}
	if len(inputs) == 0 {
		return nil, usagef("task %s needs an argument: %s", def.Name, def.Args)
	}
	for _, in := range inputs {
		if err := worker.CheckInput(o.task, in); err != nil {
			return nil, usagef("%v", err)
		}
	}
	all := make([]string, 0, len(inputs)*o.repeat)
	for range o.repeat {
		all = append(all, inputs...)
	}
	return all, nil
}

// pageServer starts the built-in pages for fetch the first time they are
// needed.
type pageServer struct {
	delay time.Duration
	srv   *pages.Server
}

func (p *pageServer) urls() ([]string, error) {
	if p.srv == nil {
		srv, err := pages.Start(pages.Default, p.delay)
		if err != nil {
			return nil, err
		}
		p.srv = srv
	}
	return p.srv.URLs(pages.Default), nil
}

func (p *pageServer) close() {
	if p.srv != nil {
		p.srv.Close()
	}
}

// execute starts the supervisor, runs the inputs, hands each result to
// the observers as it completes, then the summary.
func execute(o *options, tasks []worker.Task, stdout, stderr io.Writer) exitCode {
	obs := o.observers(stdout, stderr)
	cfg := o.config(newLogger(stderr, o.logLevel, o.logFormat))
	cfg.OnEvent = obs.event
	var finished chan supervisor.Result
	if o.chunksize > 1 {
		// Map's inputs have no futures: their results come as events.
		finished = make(chan supervisor.Result, len(tasks))
		cfg.OnEvent = func(e supervisor.Event) {
			obs.event(e)
			if f, ok := e.(supervisor.TaskFinished); ok {
				finished <- f.Result
			}
		}
	}
	begin := time.Now()
	s, err := supervisor.New(cfg)
	if err != nil {
		return report(stderr, err)
	}
	announce(stderr, s)
	if err := obs.attach(s); err != nil {
		_ = s.Stop(context.Background())
		return report(stderr, err)
	}
	release := handleSignals(s, stderr)
	defer release()
	results := make([]supervisor.Result, 0, len(tasks))
	for r := range runTasks(s, tasks, o.chunksize, finished) {
		results = append(results, r)
		obs.result(r)
	}
	wall := time.Since(begin)
	stopErr := s.Stop(context.Background())
	sum := summarize(s, results, wall)
	obs.detach(sum)
	if stopErr != nil {
		fmt.Fprintf(stderr, "supervisor: %v\n", stopErr)
		return exitGaveUp
	}
	if sum.Failed > 0 {
		return exitFailed
	}
	return exitOK
}

// runTasks runs the tasks and yields their results as they complete: each
// task submitted on its own, or, with a chunk size, all through Map, that
// many to a message (their results then arrive on finished).
func runTasks(s *supervisor.Supervisor, tasks []worker.Task, chunksize int, finished <-chan supervisor.Result) iter.Seq[supervisor.Result] {
	return func(yield func(supervisor.Result) bool) {
		if chunksize > 1 {
			inputs := make([][]byte, len(tasks))
			for i, t := range tasks {
				inputs[i] = t.Input
			}
			go func() { _, _ = s.Map(context.Background(), tasks[0].Name, inputs, chunksize) }()
			for range tasks {
				if !yield(<-finished) {
					return
				}
			}
			return
		}
		futures := make([]*supervisor.Future, len(tasks))
		for i, t := range tasks {
			futures[i] = s.Submit(context.Background(), t)
		}
		for f := range supervisor.AsCompleted(futures...) {
			if !yield(f.Result()) {
				return
			}
		}
	}
}

// observers are what watch this run, chosen by the flags.
func (o *options) observers(stdout, stderr io.Writer) observers {
	obs := observers{&controlObserver{path: o.control, stderr: stderr}}
	if o.chaosEvery > 0 {
		obs = append(obs, &chaos{every: o.chaosEvery, signal: o.chaosSignal})
	}
	if o.metricsAddr != "" {
		obs = append(obs, newMetricsServer(o.metricsAddr, o.mode, stderr))
	}
	return o.withView(obs, stdout, stderr)
}

func (o *options) config(logger *slog.Logger) supervisor.Config {
	lvl, _ := parseLogLevel(o.logLevel)
	return supervisor.Config{
		Mode:              o.mode,
		Workers:           o.workers,
		IPC:               o.ipc,
		InFlight:          o.inFlight,
		Retries:           negativeForZero(o.retries),
		PoisonAfter:       o.poison,
		MaxRestarts:       o.maxRestart,
		RestartWindow:     o.window,
		MaxTasksPerWorker: o.maxTasks,
		MaxWorkerRSS:      o.maxRSS,
		Timeout:           o.timeout,
		Grace:             o.grace,
		Spares:            negativeForZero(o.spares),
		MaxPayload:        int(o.maxPayload),
		Pools:             o.poolSpecs,
		GIL:               o.gil,
		CPUAffinity:       o.cpuAffinity,
		Logger:            logger,
		WorkerLogLevel:    lvl,
	}
}

// negativeForZero maps the CLI's 0 ("none") to the library's negative
// ("none"; the library's 0 means "the default").
func negativeForZero(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// announce prints the workers and their PIDs, so that a user can kill one
// from another terminal.
func announce(stderr io.Writer, s *supervisor.Supervisor) {
	cfg := s.Config()
	var who []string
	for _, w := range s.Workers() {
		who = append(who, fmt.Sprintf("worker %d pid %d", w.ID, w.PID))
	}
	where := strings.Join(who, ", ")
	if cfg.Mode == supervisor.ModeThread {
		where = fmt.Sprintf("goroutines in this process, pid %d", os.Getpid())
	}
	n := len(s.Workers())
	fmt.Fprintf(stderr, "supervisor: %s mode, %d %s ready in %s: %s\n", cfg.Mode, n, plural(n, "worker", "workers"), units.Duration(s.Startup()), where)
}

// handleSignals makes SIGINT and SIGTERM drain the run: the first stops
// dispatching and cancels running tasks (results so far and the summary are
// still printed); a second forces the workers down at once. The returned
// function releases the signals.
func handleSignals(s *supervisor.Supervisor, stderr io.Writer) (release func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	forceCtx, force := context.WithCancel(context.Background())
	go func() {
		select {
		case sig := <-sigs:
			fmt.Fprintf(stderr, "supervisor: %s: stopping; send it again to force\n", sig)
			go s.Stop(forceCtx)
		case <-s.Done():
			return
		}
		select {
		case <-sigs:
			fmt.Fprintln(stderr, "supervisor: forcing the workers down")
			force()
		case <-s.Done():
		}
	}()
	return func() {
		signal.Stop(sigs)
		force()
	}
}

func parseLogLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, usagef("--log-level=%s: want debug, info, warn or error", s)
	}
	return l, nil
}

// newLogger logs to stderr; stdout carries results only.
func newLogger(stderr io.Writer, level, format string) *slog.Logger {
	l, _ := parseLogLevel(level)
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(stderr, opts))
	}
	return slog.New(slog.NewTextHandler(stderr, opts))
}

// eventPrinter reports what happens to workers and tasks on stderr, as it
// happens. Routine starts and stops are left out: the start is announced
// once, and the summary says how the run ended.
type eventPrinter struct {
	nop
	mu sync.Mutex
	w  io.Writer
}

func newEventPrinter(w io.Writer) *eventPrinter { return &eventPrinter{w: w} }

func (p *eventPrinter) event(e supervisor.Event) {
	switch e := e.(type) {
	case supervisor.TaskFinished:
		return
	case supervisor.WorkerStarted:
		if !e.Replacing {
			return
		}
	case supervisor.WorkerExited:
		if e.Cause == supervisor.CauseStopping {
			return
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "supervisor: %s\n", e)
}
