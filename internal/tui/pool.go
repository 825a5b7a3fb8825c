package tui

import (
	"context"
	"syscall"

	"github.com/procpool/supervisor/supervisor"
)

// Pool is what the view shows and acts on: a running supervisor, through
// an adapter the command makes (its public API and the controls of
// internal/ops).
// The view calls the actions from its own goroutines, never from the
// screen's event loop, so an action that blocks (AddWorker waits for the
// worker to be ready, Stop for the run to end) does not freeze the screen.
type Pool interface {
	Workers() []supervisor.WorkerInfo
	Submitted() int
	Paused() bool

	Kill(id int, sig syscall.Signal) error
	CancelTask(id int) error
	AddWorker(pool string) (int, error)
	RemoveWorker(id int) error
	SetPaused(paused bool)
	Stop(ctx context.Context) error
}
