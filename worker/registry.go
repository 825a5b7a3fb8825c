package worker

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// A Func is a task function. It must honour ctx unless its documentation
// says otherwise (spin and hang ignore it on purpose).
type Func func(ctx context.Context, input []byte) ([]byte, error)

// A Def describes a registered task.
type Def struct {
	Name    string // what Task.Name refers to
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
	Run      Func
}

var registry = struct {
	sync.RWMutex
	defs map[string]*Def
}{defs: map[string]*Def{}}

// Register adds a task. It panics if the name is taken or the Def has no
// name or function: registration happens at init time, where a mistake is a
// programming error.
func Register(d Def) {
	if d.Name == "" || d.Run == nil {
		panic("worker: Register needs a name and a function")
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.defs[d.Name]; dup {
		panic("worker: task registered twice: " + d.Name)
	}
	registry.defs[d.Name] = &d
}

// Lookup returns the task registered under name.
func Lookup(name string) (*Def, error) {
	registry.RLock()
	d, ok := registry.defs[name]
	registry.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q (see \"supervisor tasks\")", ErrUnknownTask, name)
	}
	return d, nil
}

// Defs returns every registered task, sorted by name.
func Defs() []*Def {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]*Def, 0, len(registry.defs))
	for _, d := range registry.defs {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b *Def) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out
}

// CheckInput validates input for the task named name.
func CheckInput(name, input string) error {
	d, err := Lookup(name)
	if err != nil {
		return err
	}
	if d.Check == nil {
		return nil
	}
	return d.Check(input)
}
