package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/procpool/supervisor/internal/control"
	"github.com/procpool/supervisor/internal/controlpb"
	"github.com/procpool/supervisor/internal/units"
	"github.com/procpool/supervisor/supervisor"
)

// controlObserver serves the run's control socket, for "supervisor ps"
// and "supervisor kill" in another terminal.
type controlObserver struct {
	nop
	path   string
	stderr io.Writer
	srv    *control.Server
}

func (c *controlObserver) attach(s *supervisor.Supervisor) error {
	srv, err := control.Listen(c.path, s)
	if err != nil {
		if c.path != "" {
			return usagef("--control=%s: %v", c.path, err)
		}
		fmt.Fprintf(c.stderr, "supervisor: no control socket: %v\n", err)
		return nil
	}
	c.srv = srv
	fmt.Fprintf(c.stderr, "supervisor: control socket %s (supervisor ps, supervisor kill WORKER)\n", srv.Path())
	return nil
}

func (c *controlObserver) detach(summary) {
	if c.srv != nil {
		_ = c.srv.Close()
	}
}

// ps lists the workers of a running supervisor.
func ps(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ps", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	path := fs.String("control", "", "control socket of the supervisor (default: the one running)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return usagef("ps: %v", err)
	}
	if fs.NArg() > 0 {
		return usagef("ps takes no arguments, got %q", fs.Arg(0))
	}
	var resp *controlpb.PsResponse
	err := withControl(*path, func(ctx context.Context, c *control.Client) (err error) {
		resp, err = c.Ps(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("ps: %w", err)
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(resp)
	}
	printPs(stdout, resp)
	return nil
}

func printPs(w io.Writer, resp *controlpb.PsResponse) {
	paused := ""
	if resp.GetPaused() {
		paused = ", paused"
	}
	fmt.Fprintf(w, "supervisor pid %d, %s mode, %d queued, %d finished%s\n",
		resp.GetPid(), resp.GetMode(), resp.GetQueued(), resp.GetFinished(), paused)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKER\tPOOL\tPID\tSTATE\tTASK\tFOR\tDONE\tFAILED\tRESTARTS\tRSS\tCPU\tCPUS")
	for _, wk := range resp.GetWorkers() {
		task, busy := "-", "-"
		if wk.GetTaskId() != 0 {
			task = fmt.Sprintf("#%d %s %s", wk.GetTaskId(), wk.GetTask(), wk.GetInput())
			busy = units.Duration(time.Duration(wk.GetBusyNs()))
		}
		rss, cpu, cpus := "-", "-", "-"
		if wk.GetRssBytes() > 0 {
			rss, cpu = units.MiB(wk.GetRssBytes()), fmt.Sprintf("%.0f%%", wk.GetCpuPercent())
		}
		if wk.GetCpus() != "" {
			cpus = wk.GetCpus()
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\n", wk.GetId(), wk.GetPool(), wk.GetPid(),
			wk.GetState(), task, busy, wk.GetDone(), wk.GetFailed(), wk.GetRestarts(), rss, cpu, cpus)
	}
	tw.Flush()
}

// withControl connects to the control socket at path (or the one running
// supervisor's) and calls f, giving the exchange a few seconds.
func withControl(path string, f func(ctx context.Context, c *control.Client) error) error {
	c, err := control.Dial(path)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return f(ctx, c)
}

// kill signals one worker of a running supervisor.
func kill(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("kill", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	path := fs.String("control", "", "control socket of the supervisor (default: the one running)")
	signal := fs.String("signal", "KILL", "TERM or KILL")
	var rest []string
	for parse := args; ; {
		if err := fs.Parse(parse); err != nil {
			return usagef("kill: %v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		parse = fs.Args()[1:]
	}
	if len(rest) != 1 {
		return usagef("kill takes one worker id (see supervisor ps), got %d arguments", len(rest))
	}
	id, err := strconv.Atoi(rest[0])
	if err != nil || id < 1 {
		return usagef("kill %q: want a worker id, a number from 1 (see supervisor ps)", rest[0])
	}
	if _, err := control.ParseSignal(*signal); err != nil {
		return usagef("--signal=%s: want TERM or KILL", *signal)
	}
	var pid int
	err = withControl(*path, func(ctx context.Context, c *control.Client) (err error) {
		pid, err = c.Kill(ctx, id, *signal)
		return err
	})
	if err != nil {
		return fmt.Errorf("kill: %w", err)
	}
	fmt.Fprintf(stdout, "worker %d (pid %d): sent %s\n", id, pid, *signal)
	return nil
}
