package main

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// A forwarder passes the drain signals on to compare's running child,
// which drains or, on a second signal, forces; compare then stops running
// further modes and prints what it has.
type forwarder struct {
	sigs chan os.Signal
	quit chan struct{}
	done chan struct{}

	mu     sync.Mutex
	child  *os.Process
	first  syscall.Signal
	closed sync.Once
}

func newForwarder() *forwarder {
	f := &forwarder{sigs: make(chan os.Signal, 4), quit: make(chan struct{}), done: make(chan struct{})}
	signal.Notify(f.sigs, drainSignals...)
	go f.loop()
	return f
}

func (f *forwarder) loop() {
	defer close(f.done)
	for {
		select {
		case sig := <-f.sigs:
			f.mu.Lock()
			if f.first == 0 {
				f.first = sig.(syscall.Signal)
			}
			if f.child != nil {
				_ = f.child.Signal(sig)
			}
			f.mu.Unlock()
		case <-f.quit:
			return
		}
	}
}

// follow sets the child the signals go to; nil for none. A signal that
// came while it was starting is passed on at once.
func (f *forwarder) follow(p *os.Process) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.child = p
	if p != nil && f.first != 0 {
		_ = p.Signal(f.first)
	}
}

// caught is the first signal, if any came.
func (f *forwarder) caught() (syscall.Signal, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.first, f.first != 0
}

// stop stops forwarding and waits for the goroutine; safe to call twice.
func (f *forwarder) stop() {
	f.closed.Do(func() {
		signal.Stop(f.sigs)
		close(f.quit)
		<-f.done
	})
}
