package tui

import (
	"charm.land/lipgloss/v2"

	"github.com/procpool/supervisor/supervisor"
)

// styles are built when a view starts, not at package initialisation:
// every worker process imports this package and never draws.
type styles struct {
	title, dim, bold, header, selected, bar, warn lipgloss.Style
	state                                         map[supervisor.WorkerState]lipgloss.Style
}

func newStyles() *styles {
	return &styles{
		title:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#7D56F4")),
		dim:      lipgloss.NewStyle().Foreground(lipgloss.BrightBlack),
		bold:     lipgloss.NewStyle().Bold(true),
		header:   lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("110")),
		selected: lipgloss.NewStyle().Reverse(true).Bold(true),
		bar:      lipgloss.NewStyle().Foreground(lipgloss.Color("71")),
		warn:     lipgloss.NewStyle().Foreground(lipgloss.Color("203")).Bold(true),
		state: map[supervisor.WorkerState]lipgloss.Style{
			supervisor.StateBusy:       lipgloss.NewStyle().Foreground(lipgloss.Color("78")),
			supervisor.StateStarting:   lipgloss.NewStyle().Foreground(lipgloss.Color("221")),
			supervisor.StateRestarting: lipgloss.NewStyle().Foreground(lipgloss.Color("221")),
			supervisor.StateDead:       lipgloss.NewStyle().Foreground(lipgloss.Color("203")),
			supervisor.StateAbandoned:  lipgloss.NewStyle().Foreground(lipgloss.Color("213")).Bold(true),
			supervisor.StateStopped:    lipgloss.NewStyle().Foreground(lipgloss.BrightBlack),
		},
	}
}

// stateStyle is how a row's state is drawn: a retiring worker dimmed, the
// others by their state.
func (m *model) stateStyle(w supervisor.WorkerInfo) (lipgloss.Style, bool) {
	if m.retiring[w.ID] && w.State != supervisor.StateStopped {
		return m.st.dim, true
	}
	st, ok := m.st.state[w.State]
	return st, ok
}
