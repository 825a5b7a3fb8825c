package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// A table is one section of the text report: a row per figure, a column
// per case.
type table struct {
	title string
	cols  []string
	rows  [][]string
	foot  []string
}

func newTable(title string, cols []string) *table { return &table{title: title, cols: cols} }

// row adds a figure; cell gives each column's text, "" for none.
func (t *table) row(label string, cell func(col string) string) {
	cells := []string{label}
	for _, c := range t.cols {
		cells = append(cells, cell(c))
	}
	t.rows = append(t.rows, cells)
}

func (t *table) note(format string, args ...any) {
	t.foot = append(t.foot, fmt.Sprintf(format, args...))
}

// hasData reports whether any row has a figure: a measurement that did
// not run prints nothing.
func (t *table) hasData() bool {
	for _, r := range t.rows {
		for _, c := range r[1:] {
			if c != "" {
				return true
			}
		}
	}
	return false
}

func (t *table) write(w io.Writer) {
	if !t.hasData() {
		return
	}
	fmt.Fprintln(w, t.title)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  \t"+strings.Join(t.cols, "\t"))
	for _, r := range t.rows {
		for i := range r {
			if r[i] == "" {
				r[i] = "-"
			}
		}
		fmt.Fprintln(tw, "  "+strings.Join(r, "\t"))
	}
	tw.Flush()
	for _, f := range t.foot {
		fmt.Fprintln(w, "  "+f)
	}
	fmt.Fprintln(w)
}
