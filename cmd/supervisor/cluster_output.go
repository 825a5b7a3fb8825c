package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/procpool/supervisor/cluster"
	"github.com/procpool/supervisor/internal/units"
	"github.com/procpool/supervisor/supervisor"
)

// A clusterPrinter prints a cluster run's results as local runs print
// theirs, with the agent that ran each task.
type clusterPrinter interface {
	result(r cluster.Result)
	summary(s clusterSummary)
}

func newClusterPrinter(asJSON bool, w io.Writer) clusterPrinter {
	if asJSON {
		out := newLateWriter(w)
		return &clusterJSON{out: out, enc: json.NewEncoder(out)}
	}
	return &clusterText{w: w}
}

// clusterTaskLine is a local run's task line plus the agent.
type clusterTaskLine struct {
	taskLine
	Agent string `json:"agent,omitempty"`
}

type clusterJSON struct {
	out *lateWriter
	enc *json.Encoder
}

func (p *clusterJSON) result(r cluster.Result) {
	line := clusterTaskLine{taskLine: taskLine{Type: "task", ID: r.ID, Task: r.Task.Name, Input: string(r.Task.Input),
		Status: r.Status.String(), Output: string(r.Output), Worker: r.Worker, PID: r.PID,
		Attempts: r.Attempts, ExecNs: int64(r.Exec), OverheadNs: int64(r.Overhead()),
		RoundTrip: int64(r.RoundTrip), QueuedNs: int64(r.Queued)}, Agent: r.Agent}
	if r.Err != nil {
		line.Error = r.Err.Error()
	}
	_ = p.enc.Encode(line)
}

func (p *clusterJSON) summary(s clusterSummary) {
	_ = p.enc.Encode(s)
	_ = p.out.Flush()
}

type clusterText struct {
	w       io.Writer
	started bool
}

func (p *clusterText) result(r cluster.Result) {
	if !p.started {
		fmt.Fprintf(p.w, "%5s  %-9s %-10s %-7s %-8s %s\n", "TASK", "TIME", "AGENT", "WORKER", "PID", "RESULT")
		p.started = true
	}
	result := string(r.Output)
	if r.Err != nil {
		result = firstLine(r.Err.Error())
		if !strings.HasPrefix(result, r.Status.String()) {
			result = r.Status.String() + ": " + result
		}
	}
	if r.Attempts > 1 {
		result += fmt.Sprintf("  (attempt %d)", r.Attempts)
	}
	agent := r.Agent
	if agent == "" {
		agent = "-"
	}
	fmt.Fprintf(p.w, "%5d  %-9s %-10s %-7d %-8d %s\n", r.ID, units.Duration(r.RoundTrip), agent, r.Worker, r.PID, result)
}

func (p *clusterText) summary(s clusterSummary) {
	w := p.w
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-14s cluster (%s)\n", "mode", s.Where)
	fmt.Fprintf(w, "%-14s %d: %d ok, %d failed%s\n", "tasks", s.Tasks, s.OK, s.Failed, statusDetail(s.Statuses))
	var agents []string
	for _, a := range s.Agents {
		agents = append(agents, fmt.Sprintf("%s (worker pids %s)", a.Name, joinInts(a.PIDs)))
	}
	fmt.Fprintf(w, "%-14s %s\n", "agents", strings.Join(agents, "; "))
	fmt.Fprintf(w, "%-14s %s\n", "wall", units.Duration(time.Duration(s.WallNs)))
	fmt.Fprintf(w, "%-14s p50 %s, p99 %s per task (round trip minus time in the worker)\n", "overhead",
		units.Duration(time.Duration(s.Overhead.P50Ns)), units.Duration(time.Duration(s.Overhead.P99Ns)))
}

// A clusterSummary is what a cluster run did, as a JSON line or text.
type clusterSummary struct {
	Type     string            `json:"type"`
	Mode     string            `json:"mode"`
	Where    string            `json:"nats"`
	Agents   []agentSummary    `json:"agents"`
	Tasks    int               `json:"tasks"`
	OK       int               `json:"ok"`
	Failed   int               `json:"failed"`
	Statuses map[string]int    `json:"statuses"`
	WallNs   int64             `json:"wall_ns"`
	Overhead percentileSummary `json:"overhead"`
	Exec     percentileSummary `json:"exec"`
}

// agentSummary is one agent that answered tasks, and its workers' PIDs.
type agentSummary struct {
	Name string `json:"name"`
	PIDs []int  `json:"pids"`
}

func summarizeCluster(where string, results []cluster.Result, wall time.Duration) clusterSummary {
	s := clusterSummary{Type: "summary", Mode: "cluster", Where: where, Tasks: len(results),
		Statuses: map[string]int{}, WallNs: int64(wall)}
	var overhead, exec []time.Duration
	pids := map[string][]int{}
	for _, r := range results {
		s.Statuses[r.Status.String()]++
		if r.Status == supervisor.StatusOK {
			s.OK++
		} else {
			s.Failed++
		}
		if r.Exec > 0 {
			overhead, exec = append(overhead, r.Overhead()), append(exec, r.Exec)
		}
		if r.Agent != "" && !slices.Contains(pids[r.Agent], r.PID) {
			pids[r.Agent] = append(pids[r.Agent], r.PID)
		}
	}
	for name, ps := range pids {
		slices.Sort(ps)
		s.Agents = append(s.Agents, agentSummary{Name: name, PIDs: ps})
	}
	slices.SortFunc(s.Agents, func(a, b agentSummary) int { return strings.Compare(a.Name, b.Name) })
	s.Overhead, s.Exec = percentiles(overhead), percentiles(exec)
	return s
}

func joinInts(ns []int) string {
	var parts []string
	for _, n := range ns {
		parts = append(parts, fmt.Sprint(n))
	}
	return strings.Join(parts, " ")
}
