package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/procpool/supervisor/worker"
)

// listTasks prints every task with its argument and, for the fault tasks,
// what it does in each mode.
func listTasks(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usagef("tasks takes no arguments, got %q", strings.Join(args, " "))
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TASK\tARGUMENT\tWHAT IT DOES")
	for _, d := range worker.Defs() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d.Name, d.Args, d.Summary)
		if d.Faults != "" {
			fmt.Fprintf(tw, "\t\t  %s\n", d.Faults)
		}
	}
	return tw.Flush()
}
