package worker

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// A Func is a task function. It must honour ctx: return promptly, with an
// error wrapping ctx.Err(), once ctx is done. (A worker process's task
// that does not is killed with its worker; a goroutine's is abandoned.)
type Func func(ctx context.Context, input []byte) ([]byte, error)

// A Def is a registered task: its name and its function.
type Def struct {
	Name string
	Run  Func
}

// A Registry maps task names to their functions, and knows the errors that
// keep their identity across the process boundary (see RegisterError). The
// zero value is empty and ready to use; its methods are safe for concurrent
// use. Most programs use the Default registry through the package-level
// functions; a test can build one of its own to isolate its tasks.
type Registry struct {
	mu     sync.RWMutex
	defs   map[string]*Def
	errors errorRegistry
}

// Default is the registry the package-level functions use, and the one a
// worker process serves.
var Default = &Registry{}

// Register adds a task to the Default registry; see Registry.Register.
func Register(name string, fn Func) { Default.Register(name, fn) }

// Lookup finds a task in the Default registry; see Registry.Lookup.
func Lookup(name string) (*Def, error) { return Default.Lookup(name) }

// Names lists the tasks of the Default registry, sorted.
func Names() []string { return Default.Names() }

// Register adds the task name. It panics if the name is empty or taken or
// fn is nil: tasks are registered at init time, where a mistake is a
// programming error. Register the same tasks, in every process that runs
// them, before they are submitted: a worker process finds a task by name
// in its own registry, so registering at package level (in an init, or a
// package-level var, as supervisor.Define does) is the way to be sure.
func (r *Registry) Register(name string, fn Func) {
	if name == "" || fn == nil {
		panic("worker: Register needs a name and a function")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.defs[name]; dup {
		panic("worker: task registered twice: " + name)
	}
	if r.defs == nil {
		r.defs = map[string]*Def{}
	}
	r.defs[name] = &Def{Name: name, Run: fn}
}

// Lookup returns the task registered under name, or an error wrapping
// ErrUnknownTask.
func (r *Registry) Lookup(name string) (*Def, error) {
	r.mu.RLock()
	d, ok := r.defs[name]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownTask, name)
	}
	return d, nil
}

// Names lists the registered tasks, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.defs))
	for name := range r.defs {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}
