package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/procpool/supervisor/internal/control"
	"github.com/procpool/supervisor/internal/controlpb"
	"github.com/procpool/supervisor/internal/units"
)

func newPsCmd(stdout io.Writer) *cobra.Command {
	var path string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ps [flags]",
		Short: "List the workers of a running supervisor",
		Long: `ps lists the workers of a supervisor running in another terminal: state,
current task, tasks done and failed, restarts, memory and CPU.

It talks to the supervisor's control socket: the one running supervisor's
by default, or the one given with --control.`,
		Example: `  supervisor ps
  supervisor ps --json
  supervisor ps --control=/run/user/1000/supervisor/supervisor-4242.sock`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var resp *controlpb.PsResponse
			err := withControl(path, func(ctx context.Context, c *control.Client) (err error) {
				resp, err = c.Ps(ctx)
				return err
			})
			if err != nil {
				return fmt.Errorf("ps: %w", err)
			}
			if asJSON {
				return json.NewEncoder(stdout).Encode(psJSON(resp))
			}
			printPs(stdout, resp)
			return nil
		},
	}
	addControlFlag(cmd, &path)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

func addControlFlag(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVar(path, "control", "", "control socket `path` of the supervisor; empty: the one running")
}

// psLine is ps --json: the worker's id is "worker", as in the run's JSON
// Lines.
type psLine struct {
	PID      int64          `json:"pid"`
	Mode     string         `json:"mode"`
	Queued   int64          `json:"queued"`
	Finished int64          `json:"finished"`
	Paused   bool           `json:"paused,omitempty"`
	Workers  []psWorkerLine `json:"workers"`
}

type psWorkerLine struct {
	Worker     int32   `json:"worker"`
	Pool       string  `json:"pool,omitempty"`
	PID        int64   `json:"pid"`
	State      string  `json:"state"`
	TaskID     uint64  `json:"task_id,omitempty"`
	Task       string  `json:"task,omitempty"`
	Input      string  `json:"input,omitempty"`
	BusyNs     int64   `json:"busy_ns,omitempty"`
	Done       int64   `json:"done"`
	Failed     int64   `json:"failed"`
	Restarts   int64   `json:"restarts"`
	RSSBytes   int64   `json:"rss_bytes,omitempty"`
	CPUPercent float64 `json:"cpu_percent,omitempty"`
	CPUs       string  `json:"cpus,omitempty"`
}

func psJSON(resp *controlpb.PsResponse) psLine {
	l := psLine{PID: resp.GetPid(), Mode: resp.GetMode(), Queued: resp.GetQueued(), Finished: resp.GetFinished(),
		Paused: resp.GetPaused(), Workers: []psWorkerLine{}}
	for _, w := range resp.GetWorkers() {
		l.Workers = append(l.Workers, psWorkerLine{Worker: w.GetId(), Pool: w.GetPool(), PID: w.GetPid(), State: w.GetState(),
			TaskID: w.GetTaskId(), Task: w.GetTask(), Input: w.GetInput(), BusyNs: w.GetBusyNs(), Done: w.GetDone(),
			Failed: w.GetFailed(), Restarts: w.GetRestarts(), RSSBytes: w.GetRssBytes(), CPUPercent: w.GetCpuPercent(), CPUs: w.GetCpus()})
	}
	return l
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
