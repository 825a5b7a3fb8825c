package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// keyMap is every key the view answers, with the short help of the footer
// and, in long, the lines of the ? overlay.
type keyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Kill, Term, Cancel, Add, Remove       key.Binding
	Pause, Quit, Help, Close              key.Binding

	long map[string]string // binding's help key → the overlay's explanation
}

// newKeyMap builds the bindings; owner is false for a view of a run it
// does not own, where q leaves the view instead of stopping the run.
func newKeyMap(owner bool) keyMap {
	b := func(keys []string, k, short string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, short))
	}
	km := keyMap{
		Up:       b([]string{"up"}, "↑/↓", "select"),
		Down:     b([]string{"down"}, "↓", "select"),
		PageUp:   b([]string{"pgup"}, "pgup/pgdn", "page"),
		PageDown: b([]string{"pgdown"}, "pgdn", "page"),
		Home:     b([]string{"home"}, "home/end", "first/last"),
		End:      b([]string{"end"}, "end", "last"),
		Kill:     b([]string{"k"}, "k", "kill"),
		Term:     b([]string{"t"}, "t", "term"),
		Cancel:   b([]string{"c"}, "c", "cancel"),
		Add:      b([]string{"+", "="}, "+/-", "worker"),
		Remove:   b([]string{"-"}, "-", "retire"),
		Pause:    b([]string{"p"}, "p", "pause"),
		Quit:     b([]string{"q", "ctrl+c"}, "q", "quit"),
		Help:     b([]string{"?"}, "?", "help"),
		Close:    b([]string{"esc"}, "esc", "close help"),
	}
	quit := "stop the run gently (running tasks are cancelled); q again forces the workers down"
	if !owner {
		km.Quit.SetHelp("q", "leave")
		quit = "leave this view; the run goes on"
	}
	km.long = map[string]string{
		"↑/↓":       "select a worker; the table scrolls to keep it in view",
		"pgup/pgdn": "select a worker a page away",
		"home/end":  "select the first or the last worker",
		"k":         "kill the selected worker: SIGKILL to its process group. In thread mode a goroutine cannot be killed: its task is cancelled, and the events say whether it stopped",
		"t":         "terminate it: SIGTERM to its process group",
		"c":         "cancel the task it runs; the task ends as canceled and the worker carries on",
		"+/-":       "add a worker; retire the selected one once its tasks are done",
		"p":         "pause or resume handing out tasks (running ones carry on)",
		"q":         quit,
		"?":         "this help; esc or ? closes it",
	}
	return km
}

// ShortHelp is the footer's line.
func (km keyMap) ShortHelp() []key.Binding {
	return []key.Binding{km.Up, km.Kill, km.Term, km.Cancel, km.Add, km.Pause, km.Quit, km.Help}
}

// FullHelp is the ? overlay's list, one binding to a line.
func (km keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{km.Up, km.PageUp, km.Home, km.Kill, km.Term, km.Cancel, km.Add, km.Pause, km.Quit, km.Help}}
}

// newHelp is bubbles' help, in the view's colours.
func newHelp() help.Model {
	h := help.New()
	h.Styles = help.DefaultDarkStyles()
	return h
}

// key handles one key press. Actions on the pool run as commands, off the
// event loop, and report back with a message.
func (m *model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.finished { // the final screen: any key leaves it
		return tea.Quit
	}
	if m.showHelp {
		return m.helpKey(msg)
	}
	km := m.keys
	switch {
	case key.Matches(msg, km.Up):
		m.move(-1)
	case key.Matches(msg, km.Down):
		m.move(+1)
	case key.Matches(msg, km.PageUp):
		m.move(-max(m.tableRows(), 1))
	case key.Matches(msg, km.PageDown):
		m.move(max(m.tableRows(), 1))
	case key.Matches(msg, km.Home):
		m.move(-len(m.snap.Workers))
	case key.Matches(msg, km.End):
		m.move(len(m.snap.Workers))
	case key.Matches(msg, km.Help):
		m.showHelp, m.helpScroll = true, 0
	default:
		return m.action(msg)
	}
	return nil
}

// helpKey: while the overlay is open, ↑/↓ scroll it (when it does not fit)
// and ? or esc close it; q still quits.
func (m *model) helpKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Help, m.keys.Close):
		m.showHelp = false
	case key.Matches(msg, m.keys.Up, m.keys.PageUp):
		m.helpScroll = max(m.helpScroll-1, 0)
	case key.Matches(msg, m.keys.Down, m.keys.PageDown):
		m.helpScroll++ // the view clamps it
	case key.Matches(msg, m.keys.Quit):
		return m.quit()
	}
	return nil
}
