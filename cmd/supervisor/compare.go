package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"

	"github.com/procpool/supervisor/internal/units"
)

// A column of the comparison: one run of the workload in one mode, in a
// child process of its own, so that a fault that kills a thread-mode run
// cannot take the comparison down with it.
type column struct {
	name  string
	extra []string // flags that make this column's mode

	tasks   []taskLine
	sum     *summary // nil when the run died before its summary
	exit    string   // how the child ended, e.g. "exit status 1", "killed by SIGSEGV"
	telling string   // the first line of a panic or fatal error on its stderr
	elapsed time.Duration
}

func newCompareCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "compare [flags] [ARG...]",
		Short: "Run one workload in both modes and compare them",
		Long: `compare runs one workload in process mode, then in thread mode, each in a
child process of its own (a fault that kills a thread-mode run cannot take
the comparison down), and prints them side by side: tasks ok and failed,
wall and CPU time, start-up, IPC overhead, memory, and what the faults did.
With --gil it adds thread mode under the emulation of CPython's GIL.

It takes the workload's flags and arguments (see supervisor --help), except
--json and --ui. Exit status 1 if a task failed, or a run died, in either
mode.`,
		Example: `  supervisor compare
  supervisor compare --add=segv --repeat=10
  supervisor compare --gil --task=primes --repeat=4`,
		Args: workloadArgs(o),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.args = args
			return compare(cmd.Flags(), o, stdout, stderr)
		},
	}
	addWorkloadFlags(cmd.Flags(), o)
	completeWorkloadFlags(cmd)
	return cmd
}

// compare runs one workload in both modes, one after the other, and
// prints them side by side.
func compare(fs *pflag.FlagSet, o *options, stdout, stderr io.Writer) error {
	if o.json {
		return usagef("compare prints a table; run the workload itself for --json")
	}
	gil := o.gil
	o.gil, o.modeName = false, "process"
	if err := o.check(); err != nil { // checks the workload before running it twice
		return err
	}
	o.gil = gil
	cols := []*column{
		{name: "process", extra: []string{"--mode=process"}},
		{name: "thread", extra: []string{"--mode=thread"}},
	}
	if gil {
		cols = append(cols, &column{name: "thread + GIL", extra: []string{"--mode=thread", "--gil"}})
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	// The children's control sockets go in a directory of our own, removed
	// at the end even if a child died without removing its socket.
	dir, err := os.MkdirTemp("", "supervisor-compare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	intr := newForwarder()
	defer intr.stop()
	passed := passOn(fs, o.args)
	for i, c := range cols {
		if _, stopped := intr.caught(); stopped {
			break
		}
		fmt.Fprintf(stderr, "supervisor: running the workload in %s mode...\n", c.name)
		sock := filepath.Join(dir, strconv.Itoa(i)+".sock")
		if err := c.run(exe, sock, passed, intr); err != nil {
			return err
		}
	}
	printComparison(stdout, o, cols)
	return compareOutcome(intr, cols)
}

// passOn writes the flags the user set, except those compare sets itself,
// and then the arguments, for the children.
func passOn(fs *pflag.FlagSet, args []string) []string {
	var out []string
	fs.Visit(func(f *pflag.Flag) {
		switch f.Name {
		case "mode", "gil", "ui", "json", "control":
			return
		}
		if l, ok := f.Value.(*listValue); ok {
			for _, v := range *l.p {
				out = append(out, "--"+f.Name+"="+v)
			}
			return
		}
		out = append(out, "--"+f.Name+"="+f.Value.String())
	})
	return append(append(out, "--"), args...)
}

// compareOutcome is 128+N after signal N, else 1 if any run had a failed
// task or died.
func compareOutcome(intr *forwarder, cols []*column) error {
	if sig, ok := intr.caught(); ok {
		return &exitStatus{code: exitSignalBase + exitCode(sig)}
	}
	for _, c := range cols {
		if c.sum == nil || c.sum.Failed > 0 {
			return &exitStatus{code: exitFailed}
		}
	}
	return nil
}

// run runs the workload as a child and collects what it printed.
func (c *column) run(exe, sock string, args []string, fw *forwarder) error {
	cmd := exec.Command(exe, append(append([]string{"--json", "--ui=plain", "--control=" + sock}, c.extra...), args...)...)
	// In a process group of its own, the child hears a Ctrl-C once, from
	// us, not a second time from the terminal (which would force it).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("compare: %s run: %w", c.name, err)
	}
	fw.follow(cmd.Process)
	err := cmd.Wait()
	fw.follow(nil)
	c.elapsed = time.Since(begin)
	c.exit = describeExit(cmd, err)
	c.telling = tellingLine(errb.String())
	c.collect(&out)
	return nil
}

// collect decodes the child's JSON Lines.
func (c *column) collect(out io.Reader) {
	sc := bufio.NewScanner(out)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var probe struct{ Type string }
		if json.Unmarshal(sc.Bytes(), &probe) != nil {
			continue
		}
		switch probe.Type {
		case "task":
			var l taskLine
			if json.Unmarshal(sc.Bytes(), &l) == nil {
				c.tasks = append(c.tasks, l)
			}
		case "summary":
			var s summary
			if json.Unmarshal(sc.Bytes(), &s) == nil {
				c.sum = &s
			}
		}
	}
}

func describeExit(cmd *exec.Cmd, err error) string {
	st := cmd.ProcessState
	if st == nil {
		return fmt.Sprint(err)
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return "killed by " + unix.SignalName(ws.Signal())
	}
	return fmt.Sprintf("exit status %d", st.ExitCode())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// tellingLine finds the first line of a Go panic or fatal error.
func tellingLine(stderr string) string {
	for line := range strings.Lines(stderr) {
		if strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: ") {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

func printComparison(w io.Writer, o *options, cols []*column) {
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	row := func(label string, cell func(c *column) string) {
		cells := []string{label}
		for _, c := range cols {
			cells = append(cells, cell(c))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	row("", func(c *column) string { return c.name })
	row("tasks ok / failed", func(c *column) string {
		ok := 0
		for _, t := range c.tasks {
			if t.Status == "ok" {
				ok++
			}
		}
		return fmt.Sprintf("%d / %d of %d", ok, len(c.tasks)-ok, expected(cols))
	})
	row("wall", withSummary(func(s *summary) string { return units.Duration(time.Duration(s.WallNs)) }))
	row("cpu (supervisor + workers)", withSummary(func(s *summary) string {
		return units.Duration(time.Duration(s.CPU.SupervisorNs + s.CPU.WorkersNs))
	}))
	row("start-up (all workers)", withSummary(func(s *summary) string { return units.Duration(time.Duration(s.Startup.AllNs)) }))
	row("ipc overhead p50 / p99", withSummary(func(s *summary) string {
		return units.Duration(time.Duration(s.Overhead.P50Ns)) + " / " + units.Duration(time.Duration(s.Overhead.P99Ns))
	}))
	row("peak rss supervisor / worker", withSummary(func(s *summary) string {
		if s.PeakRSS.WorkerMaxBytes == 0 {
			return units.MiB(s.PeakRSS.SupervisorBytes) + " / -"
		}
		return units.MiB(s.PeakRSS.SupervisorBytes) + " / " + units.MiB(s.PeakRSS.WorkerMaxBytes)
	}))
	if o.task == "counter" {
		row("counter", counterCell)
	}
	row("what happened", narrate)
	tw.Flush()
	if o.gil {
		fmt.Fprintln(w, "\nthread + GIL is an emulation: one lock held while each task computes, as CPython's GIL serialises its threads.")
	}
}

func withSummary(f func(*summary) string) func(*column) string {
	return func(c *column) string {
		if c.sum == nil {
			return "-"
		}
		return f(c.sum)
	}
}

// expected is how many tasks the workload has: the most any column reported.
func expected(cols []*column) int {
	n := 0
	for _, c := range cols {
		if c.sum != nil {
			n = max(n, c.sum.Tasks)
		}
		n = max(n, len(c.tasks))
	}
	return n
}

// narrate says in a few words what the workload's faults did to the run.
func narrate(c *column) string {
	if c.sum == nil {
		why := c.exit
		if c.telling != "" {
			why += ": " + c.telling
		}
		return fmt.Sprintf("whole process died (%s), %d results", why, len(c.tasks))
	}
	deaths := map[string]int{}
	for _, p := range c.sum.Processes {
		if p.Exit != "" && !p.Planned {
			deaths[p.Exit]++
		}
	}
	var parts []string
	for _, how := range slices.Sorted(maps.Keys(deaths)) {
		parts = append(parts, fmt.Sprintf("%d worker %s (%s)", deaths[how], plural(deaths[how], "death", "deaths"), how))
	}
	for _, st := range []string{"quarantined", "died", "panic", "timeout", "memory", "canceled"} {
		if n := c.sum.Statuses[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	parts = append(parts, fmt.Sprintf("%d/%d ok", c.sum.OK, c.sum.Tasks))
	return strings.Join(parts, "; ")
}

// counterCell shows where the counter task counted: one heap, or one per
// worker process.
func counterCell(c *column) string {
	top := map[int]int{}
	for _, t := range c.tasks {
		if n, err := strconv.Atoi(t.output()); err == nil && t.Status == "ok" {
			top[t.PID] = max(top[t.PID], n)
		}
	}
	var parts []string
	for pid, n := range top {
		parts = append(parts, fmt.Sprintf("pid %d counted to %d", pid, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}
