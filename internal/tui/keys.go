package tui

import (
	"context"
	"fmt"
	"syscall"

	tea "charm.land/bubbletea/v2"

	"github.com/procpool/supervisor/supervisor"
)

// key handles one key press. Actions on the pool run as commands, off the
// event loop, and report back with a statusMsg.
func (m *model) key(k string) tea.Cmd {
	if m.finished { // the final screen: any key leaves it
		return tea.Quit
	}
	switch k {
	case "up":
		m.move(-1)
	case "down":
		m.move(+1)
	case "k":
		return m.signal(syscall.SIGKILL)
	case "t":
		return m.signal(syscall.SIGTERM)
	case "c":
		return m.onSelected(func(id int) string {
			return outcome(fmt.Sprintf("worker %d: task cancelled", id), m.pool.CancelTask(id))
		})
	case "+":
		return m.addWorker()
	case "-":
		return m.onSelected(func(id int) string {
			return outcome(fmt.Sprintf("worker %d: retiring once its tasks are done", id), m.pool.RemoveWorker(id))
		})
	case "p":
		return m.togglePause()
	case "q", "ctrl+c":
		return m.quit()
	case "?":
		m.help = !m.help
	case "esc":
		m.help = false
	}
	return nil
}

// onSelected runs act on the selected worker, in a command.
func (m *model) onSelected(act func(id int) string) tea.Cmd {
	id := m.selected
	if m.index() < 0 {
		return nil
	}
	return func() tea.Msg { return statusMsg(act(id)) }
}

// signal kills (or terminates) the selected worker. In thread mode a
// goroutine cannot be killed: the supervisor cancels its task and reports,
// in a WorkerKilled event, whether it stopped.
func (m *model) signal(sig syscall.Signal) tea.Cmd {
	i := m.index()
	if i < 0 {
		return nil
	}
	w := m.workers[i]
	what := fmt.Sprintf("worker %d (pid %d): sent %s", w.ID, w.PID, signalName(sig))
	if m.opts.Mode == supervisor.ModeThread {
		what = fmt.Sprintf("worker %d: a goroutine cannot be killed; cancelling its task (see events)", w.ID)
	}
	return m.onSelected(func(id int) string { return outcome(what, m.pool.Kill(id, sig)) })
}

func (m *model) addWorker() tea.Cmd {
	m.status = "starting a worker..."
	return func() tea.Msg {
		id, err := m.pool.AddWorker("")
		return statusMsg(outcome(fmt.Sprintf("worker %d added", id), err))
	}
}

func (m *model) togglePause() tea.Cmd {
	paused := !m.paused
	m.paused = paused
	return func() tea.Msg {
		m.pool.SetPaused(paused)
		if paused {
			return statusMsg("paused: no new task starts; running ones carry on (p resumes)")
		}
		return statusMsg("resumed")
	}
}

// quit stops the run gently: no task starts, running ones are cancelled,
// workers are stopped. A second quit cancels the stop's context, which
// forces the workers down.
func (m *model) quit() tea.Cmd {
	if m.stopping {
		m.force()
		m.status = "forcing the workers down"
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.stopping, m.force = true, cancel
	m.status = "stopping: running tasks are cancelled (q again to force)"
	return func() tea.Msg {
		_ = m.pool.Stop(ctx) // the run ends; the CLI reports how
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
