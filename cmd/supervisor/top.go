package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/procpool/supervisor/internal/control"
	"github.com/procpool/supervisor/internal/tui"
)

func newTopCmd(stdout io.Writer) *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "top [flags]",
		Short: "Watch and steer a running supervisor in the live view",
		Long: `top shows the live view of a supervisor running in another terminal, as
--ui=tui shows the run it starts: a row per worker (state, task, counts,
memory, CPU, task rate), the run's progress and IPC overhead, and the events
as they happen. The keys are the same: k kill, t terminate, c cancel the
task, + add a worker, - retire one, p pause, ? help. q leaves the view; the
run goes on.

It talks to the supervisor's control socket: the one running supervisor's
by default, or the one given with --control. It needs a terminal; for a
one-off listing use supervisor ps.

Exit status 4 when there is no supervisor to talk to.`,
		Example: `  supervisor top
  supervisor top --control=/run/user/1000/supervisor/supervisor-4242.sock`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runTop(path, stdout) },
	}
	addControlFlag(cmd, &path)
	return cmd
}

// runTop shows the view until q, or until the supervisor goes and a key
// is pressed. SIGINT, SIGTERM and SIGHUP close it too, with 128 plus the
// signal's number.
func runTop(path string, stdout io.Writer) error {
	if !isTerminal(stdout) || !isTerminal(os.Stdin) {
		return usagef("top: needs a terminal (stdin and stdout); for a listing use supervisor ps")
	}
	c, err := control.Dial(path)
	if err != nil {
		return fmt.Errorf("top: %w", err)
	}
	defer c.Close()
	pool := remote{c: c}
	if _, err := pool.Snapshot(0); err != nil { // nothing to show: say so before taking the screen
		return fmt.Errorf("top: %w", err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, drainSignals...)
	defer signal.Stop(sigs)
	prog := tui.Start(pool, tui.Options{})
	done := make(chan error, 1)
	go func() { done <- prog.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("top: %w", err)
		}
		return nil
	case sig := <-sigs:
		prog.Quit()
		<-done
		return &exitStatus{code: exitSignalBase + exitCode(sig.(syscall.Signal))}
	}
}
