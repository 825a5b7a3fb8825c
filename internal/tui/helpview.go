package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// helpLines is the ? overlay in n lines: every key with its explanation,
// wrapped to the width under a hanging indent, never cut. When it is
// longer than n, it scrolls with ↑/↓ and says so on its last line.
func (m *model) helpLines(n int) []string {
	all := m.helpText()
	if len(all) <= n {
		return all
	}
	if n < 2 {
		return all[:max(n, 0)]
	}
	top := min(m.helpScroll, len(all)-(n-1))
	out := append([]string(nil), all[top:top+n-1]...)
	more := "↑/↓ scroll the help · esc closes it"
	if top+n-1 < len(all) {
		more = "more below: " + more
	}
	return append(out, m.st.dim.Render(ansi.Truncate(more, m.width, "…")))
}

// helpText is the whole overlay, wrapped to the width.
func (m *model) helpText() []string {
	keyW := 0
	for _, b := range m.keys.FullHelp()[0] {
		keyW = max(keyW, ansi.StringWidth(b.Help().Key))
	}
	indent := strings.Repeat(" ", keyW+4)
	out := []string{m.st.bold.Render("keys")}
	for _, b := range m.keys.FullHelp()[0] {
		k := b.Help().Key
		text := ansi.Wrap(m.keys.long[k], max(m.width-len(indent), 10), "")
		for i, part := range strings.Split(text, "\n") {
			prefix := indent
			if i == 0 {
				prefix = "  " + fit(k, keyW) + "  "
			}
			out = append(out, prefix+part)
		}
	}
	return out
}
