package main

import (
	"fmt"
	"github.com/procpool/supervisor/internal/demo"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newTasksCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "tasks",
		Short: "List the tasks and their arguments",
		Long: `tasks lists every task a workload can run (--task, --add), the argument it
takes, and, for the fault tasks, what each does in each mode.`,
		Example: `  supervisor tasks
  supervisor --task=sleep 100ms 200ms`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return listTasks(stdout) },
	}
}

// listTasks prints every task with its argument and, for the fault tasks,
// what it does in each mode.
func listTasks(stdout io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TASK\tARGUMENT\tWHAT IT DOES")
	for _, d := range demo.Tasks() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d.Name, d.Args, d.Summary)
		if d.Faults != "" {
			fmt.Fprintf(tw, "\t\t  %s\n", d.Faults)
		}
	}
	return tw.Flush()
}
