package tui

import (
	"context"
	"fmt"
	"syscall"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/procpool/supervisor/supervisor"
)

// action runs the pool action bound to msg, if any.
func (m *model) action(msg tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	switch {
	case key.Matches(msg, km.Kill):
		return m.signal(syscall.SIGKILL)
	case key.Matches(msg, km.Term):
		return m.signal(syscall.SIGTERM)
	case key.Matches(msg, km.Cancel):
		return m.onSelected(func(p Pool, id int) tea.Msg {
			return statusMsg(outcome(fmt.Sprintf("worker %d: task cancelled", id), p.CancelTask(id)))
		})
	case key.Matches(msg, km.Add):
		return m.addWorker()
	case key.Matches(msg, km.Remove):
		return m.onSelected(removeWorker)
	case key.Matches(msg, km.Pause):
		return m.togglePause()
	case key.Matches(msg, km.Quit):
		return m.quit()
	}
	return nil
}

// onSelected runs act on the selected worker, in a command.
func (m *model) onSelected(act func(p Pool, id int) tea.Msg) tea.Cmd {
	if m.index() < 0 {
		return nil
	}
	pool, id := m.pool, m.selected
	return func() tea.Msg { return act(pool, id) }
}

// removeWorker retires worker id; the header stops counting it at once.
func removeWorker(p Pool, id int) tea.Msg {
	if err := p.RemoveWorker(id); err != nil {
		return statusMsg("error: " + err.Error())
	}
	return retiredMsg(id)
}

// signal kills (or terminates) the selected worker. In thread mode a
// goroutine cannot be killed: the supervisor cancels its task and reports,
// in a WorkerKilled event, whether it stopped.
func (m *model) signal(sig syscall.Signal) tea.Cmd {
	i := m.index()
	if i < 0 {
		return nil
	}
	w := m.snap.Workers[i]
	what := fmt.Sprintf("worker %d (pid %d): sent %s", w.ID, w.PID, signalName(sig))
	if m.snap.Mode == supervisor.ModeThread {
		what = fmt.Sprintf("worker %d: a goroutine cannot be killed; cancelling its task (see events)", w.ID)
	}
	return m.onSelected(func(p Pool, id int) tea.Msg { return statusMsg(outcome(what, p.Kill(id, sig))) })
}

func (m *model) addWorker() tea.Cmd {
	m.status = "starting a worker..."
	pool := m.pool
	return func() tea.Msg {
		id, err := pool.AddWorker("")
		return statusMsg(outcome(fmt.Sprintf("worker %d added", id), err))
	}
}

func (m *model) togglePause() tea.Cmd {
	paused := !m.snap.Paused
	m.snap.Paused = paused // shown at once; the next snapshot confirms it
	pool := m.pool
	return func() tea.Msg {
		if err := pool.SetPaused(paused); err != nil {
			return statusMsg("error: " + err.Error())
		}
		if paused {
			return statusMsg("paused: no new task starts; running ones carry on (p resumes)")
		}
		return statusMsg("resumed")
	}
}

// quit stops the run gently: no task starts, running ones are cancelled,
// workers are stopped. A second quit cancels the stop's context, which
// forces the workers down. A view of a run it does not own just leaves.
func (m *model) quit() tea.Cmd {
	if m.opts.Stop == nil {
		return tea.Quit
	}
	if m.stopping {
		m.force()
		m.status = "forcing the workers down"
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.stopping, m.force = true, cancel
	m.status = "stopping: running tasks are cancelled (q again to force)"
	stop := m.opts.Stop
	return func() tea.Msg {
		_ = stop(ctx) // the run ends; the CLI reports how
		return nil
	}
}

func outcome(ok string, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return ok
}

func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}
