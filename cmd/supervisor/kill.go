package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/procpool/supervisor/internal/control"
)

func newKillCmd(stdout io.Writer) *cobra.Command {
	var path, signal string
	var all bool
	cmd := &cobra.Command{
		Use:   "kill [flags] WORKER | --all",
		Short: "Kill a worker of a running supervisor",
		Long: `kill signals a worker of a supervisor running in another terminal, by its id
(see supervisor ps). In process mode the worker's process group gets the
signal and the supervisor replaces it; its task, if any, runs again on a
fresh worker. In thread mode a goroutine cannot be killed: its task is
cancelled instead.

Exit status 4 when there is no supervisor to talk to or no such worker.`,
		Example: `  supervisor kill 2
  supervisor kill --signal=TERM 2
  supervisor kill --all`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case all && len(args) > 0:
				return usagef("kill --all takes no worker id, got %q", args[0])
			case !all && len(args) != 1:
				return usagef("kill takes one worker id (see supervisor ps), or --all; got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := control.ParseSignal(signal); err != nil {
				return usagef("--signal=%s: want TERM or KILL", signal)
			}
			if all {
				return killAll(path, signal, stdout)
			}
			id, err := strconv.Atoi(args[0])
			if err != nil || id < 1 {
				return usagef("kill %q: want a worker id, a number from 1 (see supervisor ps)", args[0])
			}
			return killOne(path, id, signal, stdout)
		},
	}
	addControlFlag(cmd, &path)
	cmd.Flags().StringVar(&signal, "signal", "KILL", "`signal` to send: TERM or KILL")
	cmd.Flags().BoolVar(&all, "all", false, "kill every worker")
	complete(cmd, "signal", "TERM", "KILL")
	return cmd
}

func killOne(path string, id int, signal string, stdout io.Writer) error {
	var pid int
	err := withControl(path, func(ctx context.Context, c *control.Client) (err error) {
		pid, err = c.Kill(ctx, id, signal)
		return err
	})
	if err != nil {
		return fmt.Errorf("kill: %w", err)
	}
	fmt.Fprintf(stdout, "worker %d (pid %d): sent %s\n", id, pid, signal)
	return nil
}

// killAll kills every worker listed by ps. One that is gone by the time
// its turn comes (retired) is skipped; one that cannot be killed now (it is
// being replaced) does not keep the others from being killed.
func killAll(path, signal string, stdout io.Writer) error {
	return withControl(path, func(ctx context.Context, c *control.Client) error {
		resp, err := c.Ps(ctx)
		if err != nil {
			return fmt.Errorf("kill: %w", err)
		}
		var first error
		for _, w := range resp.GetWorkers() {
			pid, err := c.Kill(ctx, int(w.GetId()), signal)
			switch {
			case errors.Is(err, control.ErrNoWorker):
			case err != nil && first == nil:
				first = fmt.Errorf("kill worker %d: %w", w.GetId(), err)
			case err == nil:
				fmt.Fprintf(stdout, "worker %d (pid %d): sent %s\n", w.GetId(), pid, signal)
			}
		}
		return first
	})
}
