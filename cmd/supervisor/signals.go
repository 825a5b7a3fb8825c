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
	// stopCtx is the ctx for the supervisor's Stop: the second signal
	// cancels it, which forces every worker down at once.
	stopCtx context.Context
	force   context.CancelFunc

	mu     sync.Mutex
	caught syscall.Signal // the first signal; 0 if none

	watching bool // watch was called
	quit     chan struct{}
	done     chan struct{} // closed when the watching goroutine has returned
	stopOnce sync.Once
}

// catchInterrupts starts catching: a signal that comes before watch is
// kept for it.
func catchInterrupts() *interrupts {
	i := &interrupts{sigs: make(chan os.Signal, 4), quit: make(chan struct{}), done: make(chan struct{})}
	i.stopCtx, i.force = context.WithCancel(context.Background())
	signal.Notify(i.sigs, drainSignals...)
	return i
}

// watch calls stop in a goroutine of its own on the first signal, and on
// the second cancels stop's ctx and calls force, saying so on stderr. Call
// it once.
func (i *interrupts) watch(stop func(context.Context), force func(), stderr io.Writer) {
	i.watching = true
	go func() {
		defer close(i.done)
		var first os.Signal
		select {
		case first = <-i.sigs:
		case <-i.quit:
			return
		}
		i.mu.Lock()
		i.caught = first.(syscall.Signal)
		i.mu.Unlock()
		fmt.Fprintf(stderr, "supervisor: %s: stopping; send it again to force\n", unix.SignalName(i.caught))
		go stop(i.stopCtx) // returns once every task has its result
		select {
		case sig := <-i.sigs:
			fmt.Fprintf(stderr, "supervisor: %s: forcing the workers down\n", unix.SignalName(sig.(syscall.Signal)))
			i.force()
			force()
		case <-i.quit:
		}
	}()
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

// stop stops catching and waits for the watcher. It is safe to call more
// than once, and without watch having been called, from the goroutine that
// called catchInterrupts and watch.
func (i *interrupts) stop() {
	i.stopOnce.Do(func() {
		signal.Stop(i.sigs)
		close(i.quit)
		if i.watching {
			<-i.done
		}
		i.force()
	})
}
