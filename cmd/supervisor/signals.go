package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// drainSignals end a run gently: stop dispatching, cancel the running
// tasks, stop the workers, print the results so far and the summary. A
// second one, of any of them, forces the workers down at once (issue #9:
// SIGHUP used to kill the run without a summary, and a second SIGINT
// waited out the kill ladder's grace).
var drainSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// interrupts catches the drain signals from before the first worker
// starts until the run is over.
type interrupts struct {
	sigs chan os.Signal
	// startCtx is the ctx for the supervisor's New: the first signal
	// cancels it, so that Ctrl-C during a slow start ends the run.
	startCtx    context.Context
	cancelStart context.CancelFunc
	// stopCtx is the ctx for the supervisor's Stop: the second signal
	// cancels it, which forces every worker down at once.
	stopCtx context.Context
	force   context.CancelFunc

	mu     sync.Mutex
	caught syscall.Signal        // the first signal; 0 if none
	stopFn func(context.Context) // set by watch
	stderr io.Writer

	quit     chan struct{}
	done     chan struct{} // closed when the catching goroutine has returned
	stopOnce sync.Once
}

// catchInterrupts starts catching: the first signal cancels startCtx, and
// is kept for watch if it comes before.
func catchInterrupts(stderr io.Writer) *interrupts {
	i := &interrupts{sigs: make(chan os.Signal, 4), quit: make(chan struct{}), done: make(chan struct{}), stderr: stderr}
	i.startCtx, i.cancelStart = context.WithCancel(context.Background())
	i.stopCtx, i.force = context.WithCancel(context.Background())
	signal.Notify(i.sigs, drainSignals...)
	go i.catch()
	return i
}

// catch waits for the first signal, which stops the run (at once if watch
// has been called, else as soon as it is), and the second, which forces it.
func (i *interrupts) catch() {
	defer close(i.done)
	var first os.Signal
	select {
	case first = <-i.sigs:
	case <-i.quit:
		return
	}
	i.mu.Lock()
	i.caught = first.(syscall.Signal)
	stop := i.stopFn
	i.mu.Unlock()
	i.cancelStart()
	fmt.Fprintf(i.stderr, "supervisor: %s: stopping; send it again to force\n", unix.SignalName(i.caught))
	if stop != nil {
		go stop(i.stopCtx) // returns once every task has its result
	}
	select {
	case sig := <-i.sigs:
		fmt.Fprintf(i.stderr, "supervisor: %s: forcing the workers down\n", unix.SignalName(sig.(syscall.Signal)))
		i.force() // Stop forces every worker down once its ctx ends
	case <-i.quit:
	}
}

// watch makes the first signal call stop in a goroutine of its own (at
// once, if it has already come). Call it once.
func (i *interrupts) watch(stop func(context.Context)) {
	i.mu.Lock()
	i.stopFn = stop
	caught := i.caught != 0
	i.mu.Unlock()
	if caught {
		go stop(i.stopCtx)
	}
}

// signal is the first signal caught, if any.
func (i *interrupts) signal() (syscall.Signal, bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.caught, i.caught != 0
}

// exitCode is 128 plus the first signal's number, as a shell reports a
// death by it, or ok false when no signal came.
func (i *interrupts) exitCode() (exitCode, bool) {
	sig, ok := i.signal()
	return exitSignalBase + exitCode(sig), ok
}

// stop stops catching and waits for the catching goroutine. It is safe to
// call more than once.
func (i *interrupts) stop() {
	i.stopOnce.Do(func() {
		signal.Stop(i.sigs)
		close(i.quit)
		<-i.done
		i.force()
		i.cancelStart()
	})
}
