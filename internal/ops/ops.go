// Package ops is the command's door to what a supervisor can do beyond
// its public API: the live view's pause and cancel keys, and signals other
// than SIGKILL for "supervisor kill --signal". They stay out of the
// library's API (a program embedding it has no use for them, issue 10), and
// package supervisor opens this door when it is linked in.
package ops

import "syscall"

// Controls are the operations behind the door, on one supervisor.
type Controls interface {
	// SetPaused stops (true) or resumes (false) handing tasks to workers;
	// running tasks are not affected.
	SetPaused(paused bool)
	// Paused reports whether dispatch is paused.
	Paused() bool
	// CancelTasks cancels the tasks worker id is running; the worker
	// carries on (or the kill ladder kills it if a task ignores that).
	CancelTasks(id int) error
	// Signal sends sig to worker id's process group (process mode), as
	// Supervisor.Kill does with SIGKILL; in thread mode it cancels the
	// worker's tasks, as Kill does.
	Signal(id int, sig syscall.Signal) error
}

// For returns the controls of s, a *supervisor.Supervisor. Package
// supervisor sets it in its init; it takes an any because this package
// cannot import that one (which imports it).
var For func(s any) Controls
