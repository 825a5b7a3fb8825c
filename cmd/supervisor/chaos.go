package main

import (
	"math/rand/v2"
	"strings"
	"syscall"
	"time"

	"github.com/procpool/supervisor/internal/control"
	"github.com/procpool/supervisor/supervisor"
)

// chaos kills a random busy worker at a steady rate while the run lasts:
// SIGKILL to a worker process in process mode; in thread mode the
// supervisor can only cancel the goroutine's task, and reports whether it
// stopped.
type chaos struct {
	nop
	every  time.Duration
	signal syscall.Signal
	quit   chan struct{}
	done   chan struct{}
}

func (c *chaos) attach(s live) error {
	c.quit, c.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(c.done)
		t := time.NewTicker(c.every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				killRandomBusy(s, c.signal)
			case <-c.quit:
				return
			case <-s.Done():
				return
			}
		}
	}()
	return nil
}

func (c *chaos) detach(summary) {
	close(c.quit)
	<-c.done
}

// parseChaos reads kill:every=DURATION[,signal=TERM|KILL].
func parseChaos(spec string) (time.Duration, syscall.Signal, error) {
	bad := usagef("--chaos=%s: want kill:every=DURATION[,signal=TERM|KILL], e.g. kill:every=200ms", spec)
	rest, ok := strings.CutPrefix(spec, "kill:")
	if !ok {
		return 0, 0, bad
	}
	var every time.Duration
	sig := syscall.SIGKILL
	for _, kv := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(kv, "=")
		var err error
		switch k {
		case "every":
			every, err = time.ParseDuration(v)
		case "signal":
			sig, err = control.ParseSignal(v)
		default:
			return 0, 0, bad
		}
		if err != nil {
			return 0, 0, bad
		}
	}
	if every <= 0 {
		return 0, 0, bad
	}
	return every, sig, nil
}

// killRandomBusy kills a worker chosen at random among those running a
// task, if any is.
func killRandomBusy(s live, sig syscall.Signal) {
	var busy []int
	for _, w := range s.Workers() {
		if w.State == supervisor.StateBusy {
			busy = append(busy, w.ID)
		}
	}
	if len(busy) > 0 {
		_ = s.Kill(busy[rand.IntN(len(busy))], sig)
	}
}
