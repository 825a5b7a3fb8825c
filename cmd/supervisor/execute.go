package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/procpool/supervisor/internal/demo"
	"io"
	"iter"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/procpool/supervisor/internal/feed"
	"github.com/procpool/supervisor/internal/limits"
	"github.com/procpool/supervisor/internal/units"
	"github.com/procpool/supervisor/supervisor"
)

// execute binds the run's listeners, starts the supervisor, runs the
// tasks, hands each result to the observers as it completes, then the
// summary. Its error carries the exit code.
func execute(o *options, tasks *workload, stdout io.Writer, con *console) error {
	if err := limits.CheckWorkers(o.modeName, o.processes()); err != nil {
		return fmt.Errorf("--workers=%d: %w", o.workers, err)
	}
	ctl, err := bindControl(o.control, con.out())
	if err != nil {
		return err
	}
	defer ctl.close()
	met, err := newMetrics(o, tasks, con.out())
	if err != nil {
		return err
	}
	defer met.close()
	fd := feed.New()
	obs := o.observers(ctl, met, fd, stdout, con.out())
	intr := catchInterrupts(con.out())
	defer intr.stop()
	cfg := o.config(newLogger(con.out(), o.logLevel, o.logFormat))
	if o.gil { // thread mode only (checked): the emulation is the built-in tasks', in this process
		demo.EnableGIL(&demo.GIL{})
		defer demo.EnableGIL(nil)
	}
	finished := resultEvents(&cfg, obs, o.chunksize > 1)
	begin := time.Now()
	sup, err := supervisor.New(intr.startCtx, cfg)
	if err != nil {
		return interruptedStart(intr, err)
	}
	s := newLive(sup, fd)
	s.total = tasks.len()
	announce(con.out(), s)
	if err := obs.attach(s); err != nil {
		_ = s.Stop(context.Background())
		return err
	}
	intr.watch(func(ctx context.Context) { _ = s.Stop(ctx) })
	var t tally // the results are counted as they come, never kept
	for r := range runTasks(s, tasks, o.chunksize, finished) {
		t.add(r)
		obs.result(r)
	}
	wall := time.Since(begin)
	stopErr := s.Stop(intr.stopCtx)
	sum := summarize(s, &t, wall)
	obs.detach(sum)
	intr.stop()
	err = outcome(intr, stopErr, sum, con) // printed before the endpoint lingers
	met.lingerAfter()
	return err
}

// resultEvents wires the observers to the supervisor's events. With Map
// (chunks), results have no futures and come as events: it returns the
// channel they arrive on. The channel is bounded: a slot that finds it
// full waits for the printer, which reads every result.
func resultEvents(cfg *supervisor.Config, obs observers, chunked bool) chan supervisor.Result {
	cfg.OnEvent = obs.event
	if !chunked {
		return nil
	}
	finished := make(chan supervisor.Result, resultBacklog)
	cfg.OnEvent = func(e supervisor.Event) {
		obs.event(e)
		if f, ok := e.(supervisor.TaskFinished); ok {
			finished <- f.Result
		}
	}
	return finished
}

// interruptedStart is New's error, unless a signal cut the start-up
// short: then the run ends as any interrupted run does, with 128 plus the
// signal's number, and the "stopping" line already said why (issue 13: a
// Ctrl-C while the workers started exited 3, "the supervisor gave up",
// and said so twice).
func interruptedStart(intr *interrupts, err error) error {
	if code, ok := intr.exitCode(); ok && errors.Is(err, context.Canceled) {
		return &exitStatus{code: code}
	}
	return err
}

// outcome is the run's exit, once the summary is out: a signal's code if
// one stopped it, else 3 if the supervisor gave up, 1 if a task failed.
func outcome(intr *interrupts, stopErr error, sum summary, con *console) error {
	if code, ok := intr.exitCode(); ok {
		return &exitStatus{code: code}
	}
	if stopErr != nil {
		con.errorf("%v", stopErr)
		return &exitStatus{code: exitGaveUp}
	}
	if sum.Failed > 0 {
		return &exitStatus{code: exitFailed}
	}
	return nil
}

// processes is how many workers the run starts at once: every pool's
// workers, and the spares in process mode.
func (o *options) processes() int {
	n := o.workers
	if len(o.poolSpecs) > 0 {
		n = 0
		for _, p := range o.poolSpecs {
			n += p.Workers
		}
	}
	if o.mode == supervisor.ModeProcess {
		n += o.spares
	}
	return n
}

// resultBacklog bounds the results waiting to be printed, and the tasks
// submitted and not yet done: the command's memory stays flat however many
// tasks a run has (a run used to submit every task at once and keep every
// result until the summary: 1 GiB for a million tasks).
const resultBacklog = 4096

// runTasks runs the tasks and yields their results as they complete: each
// task submitted on its own, at most resultBacklog at a time, or, with a
// chunk size, all through Map, that many to a message (their results then
// arrive on finished).
func runTasks(s live, tasks *workload, chunksize int, finished <-chan supervisor.Result) iter.Seq[supervisor.Result] {
	return func(yield func(supervisor.Result) bool) {
		if chunksize > 1 {
			inputs := func(yield func([]byte) bool) {
				for t := range tasks.all {
					if !yield(t.Input) {
						return
					}
				}
			}
			go func() {
				for range s.Map(context.Background(), tasks.name, inputs, chunksize) {
				}
			}()
			for range tasks.len() {
				if !yield(<-finished) {
					return
				}
			}
			return
		}
		submitWindowed(s, tasks, yield)
	}
}

// submitWindowed submits the tasks, keeping at most resultBacklog of them
// pending, and yields each result as it completes.
func submitWindowed(s live, tasks *workload, yield func(supervisor.Result) bool) {
	done := make(chan *supervisor.Future[[]byte], resultBacklog)
	pending := 0
	next := func() bool {
		f := <-done
		pending--
		return yield(f.Result())
	}
	for t := range tasks.all {
		if pending == resultBacklog && !next() {
			return
		}
		f := s.Submit(context.Background(), t)
		f.OnDone(func(f *supervisor.Future[[]byte]) { done <- f }) // never blocks: done has room for every pending task
		pending++
	}
	for pending > 0 {
		if !next() {
			return
		}
	}
}

// observers are what watch this run, chosen by the flags. Those that
// listen (the control socket, the metrics) are bound before, by the
// caller: a busy --metrics-addr is a usage error that costs nothing.
func (o *options) observers(ctl *controlObserver, met *metricsObserver, fd *feed.Feed, stdout, stderr io.Writer) observers {
	obs := observers{feedObserver{feed: fd}, ctl}
	if o.chaosEvery > 0 {
		obs = append(obs, &chaos{every: o.chaosEvery, signal: o.chaosSignal})
	}
	if met != nil {
		obs = append(obs, met)
	}
	return o.withView(obs, stdout, stderr)
}

func (o *options) config(logger *slog.Logger) supervisor.Config {
	lvl, _ := parseLogLevel(o.logLevel)
	return supervisor.Config{
		Mode:              o.mode,
		Workers:           o.workers,
		IPC:               o.ipc,
		InFlight:          o.pipelining(),
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
		CPUAffinity:       o.cpuAffinity,
		Logger:            logger,
		WorkerLogLevel:    lvl,
		WorkerCommand:     workerCommand(),
	}
}

// autoInFlight is how many tasks a worker process has outstanding at once
// by default. Pipelining is what makes a stream of small tasks run at the
// speed of a goroutine pool (issue 12: 0.23 of thread mode's rate with one
// task at a time), and it is safe now that blame is exact: a task queued
// behind one that crashes its worker runs again without a charge.
const autoInFlight = 64

// pipelining is Config.InFlight: --in-flight, or by default autoInFlight
// unless a --timeout is set, since with tasks queued in a worker a task's
// timeout would count its wait behind the others.
func (o *options) pipelining() int {
	switch {
	case o.inFlight > 0:
		return o.inFlight
	case o.timeout > 0 || o.mode != supervisor.ModeProcess:
		return 1
	}
	return autoInFlight
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
func announce(stderr io.Writer, s live) {
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
	fmt.Fprintf(stderr, "supervisor: %s mode, %d %s ready in %s: %s\n", cfg.Mode, n, plural(n, "worker", "workers"), units.Duration(s.Stats().Startup), where)
}
