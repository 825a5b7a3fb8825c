// Package demo holds the command's built-in tasks: the seed's primes and
// fetch, sleep, spin, echo, counter, and the fault tasks that show what
// isolation buys (panic, crash, exit, segv, fatal, leak, hang, spawn), with
// the teaching aids around them (the seed's numbers, an emulation of
// CPython's GIL). Importing it registers them in package worker's default
// registry. Only the command and the tests import it: a program that
// embeds the library registers its own tasks and gets none of these.
package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/procpool/supervisor/worker"
)

// A Task is a built-in task and what "supervisor tasks" says of it.
type Task struct {
	Name    string // what worker.Task.Name refers to
	Args    string // the argument, for usage text, e.g. "N (unsigned 64-bit)"
	Summary string // one line: what the task does
	// Faults says what the task does to its worker in each mode, for the
	// fault tasks; empty for ordinary tasks.
	Faults string
	// Defaults are the inputs used when none are given, e.g. the seed's
	// primes. A task with no defaults needs at least one input.
	Defaults []string
	// Check validates one input without running the task; nil accepts all.
	Check func(input string) error
	// CPUBound marks a task that computes rather than waits: under the GIL
	// emulation it holds the lock while it runs, calling Yield between
	// chunks of work.
	CPUBound bool
	Run      worker.Func
}

var catalog = map[string]*Task{}

// register adds a built-in task to the catalogue and to worker's default
// registry; a CPU-bound one runs under the GIL emulation when it is on.
func register(t Task) {
	catalog[t.Name] = &t
	run := t.Run
	if t.CPUBound {
		run = func(ctx context.Context, in []byte) ([]byte, error) {
			if g := gil.Load(); g != nil {
				g.lock()
				defer g.unlock()
				ctx = context.WithValue(ctx, gilKey{}, g)
			}
			return t.Run(ctx, in)
		}
	}
	worker.Register(t.Name, run)
}

// Tasks returns every built-in task, sorted by name.
func Tasks() []*Task {
	out := make([]*Task, 0, len(catalog))
	for _, t := range catalog {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *Task) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// ErrUnknownTask is Lookup's error for a name that is not a built-in task.
var ErrUnknownTask = errors.New("unknown task")

// Lookup returns the built-in task called name.
func Lookup(name string) (*Task, error) {
	t, ok := catalog[name]
	if !ok {
		return nil, fmt.Errorf("%w %q (see \"supervisor tasks\")", ErrUnknownTask, name)
	}
	return t, nil
}

// CheckInput validates input for the built-in task called name.
func CheckInput(name, input string) error {
	t, err := Lookup(name)
	if err != nil {
		return err
	}
	if t.Check == nil {
		return nil
	}
	return t.Check(input)
}

// badInput wraps worker.ErrBadInput with the offending value and what is
// accepted.
func badInput(task, input, accepted string) error {
	return fmt.Errorf("%w for %s: %q: %s", worker.ErrBadInput, task, input, accepted)
}
