package main

import (
	"errors"

	"github.com/procpool/supervisor/supervisor"
)

// An observer watches a run: the printers, the live views, the control
// socket, chaos. Each feature of a run that is not the run itself is one.
type observer interface {
	// attach is called once the workers are ready, before any task is
	// submitted. An error ends the run before it starts.
	attach(s live) error
	// event is called for every supervisor event, from the supervisor's
	// goroutines, including events of the start-up before attach.
	event(e supervisor.Event)
	// result is called for each task's result, in completion order, from
	// one goroutine.
	result(r supervisor.Result)
	// detach is called once every task has its result and the workers have
	// stopped, with the run's summary.
	detach(sum summary)
}

// observers fans out to several observers, in order.
type observers []observer

func (os observers) attach(s live) error {
	var errs []error
	for _, o := range os {
		errs = append(errs, o.attach(s))
	}
	return errors.Join(errs...)
}

func (os observers) event(e supervisor.Event) {
	for _, o := range os {
		o.event(e)
	}
}

func (os observers) result(r supervisor.Result) {
	for _, o := range os {
		o.result(r)
	}
}

func (os observers) detach(sum summary) {
	for _, o := range os {
		o.detach(sum)
	}
}

// nop gives an observer the methods it does not need.
type nop struct{}

func (nop) attach(live) error        { return nil }
func (nop) event(supervisor.Event)   {}
func (nop) result(supervisor.Result) {}
func (nop) detach(summary)           {}
