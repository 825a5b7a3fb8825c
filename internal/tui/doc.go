// Package tui is the supervisor's live view: a terminal screen with one row
// per worker (state, current task, counts, memory, CPU, a sparkline of its
// task rate), the run's progress and IPC overhead, and the events as they
// happen; keys kill, terminate, cancel, add, remove, pause and quit.
//
// It is built on Bubble Tea. The run never waits for the screen: events go
// into a [Feed], which the view reads a few times a second along with the
// pool's worker snapshot; key actions run the pool's methods off the
// screen's event loop. Nothing is set up before [Start] is called, so a
// program that imports the package but does not show the view (a worker
// process) pays only the libraries' own initialisation.
package tui
