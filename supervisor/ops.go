package supervisor

import (
	"syscall"

	"github.com/procpool/supervisor/internal/ops"
)

// The command's live view and control socket reach a few operations that
// are not the library's API through internal/ops (see there).
func init() {
	ops.For = func(s any) ops.Controls { return controls{s.(*Supervisor)} }
}

type controls struct{ s *Supervisor }

func (c controls) SetPaused(paused bool) { c.s.setPaused(paused) }

func (c controls) Paused() bool { return c.s.Stats().Paused }

func (c controls) CancelTasks(id int) error { return c.s.cancelTasks(id) }

func (c controls) Signal(id int, sig syscall.Signal) error { return c.s.signal(id, sig) }
