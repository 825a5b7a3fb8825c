package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	benchmark "github.com/procpool/supervisor/internal/bench"
	"github.com/procpool/supervisor/supervisor"
)

// benchFlags are bench's command line; zero values leave bench's own
// defaults (smaller under --quick) in place.
type benchFlags struct {
	opts   benchmark.Options
	json   bool
	plot   string
	python bool
}

func addBenchFlags(fs *pflag.FlagSet, f *benchFlags) {
	o := &f.opts
	fs.Func("only", "measure only these, comma-separated: "+strings.Join(benchmark.Measurements, ","), func(s string) (err error) {
		o.Only, err = benchmark.ParseOnly(s)
		return err
	})
	fs.IntVar(&o.Workers, "workers", 0, "most workers: throughput and primes at 1..N, memory at N (default: CPUs)")
	fs.Func("ipc", "process-mode data paths to measure, comma-separated: grpc,stream,frame (default all)", func(s string) error {
		for name := range strings.SplitSeq(s, ",") {
			p, err := supervisor.ParseIPC(strings.TrimSpace(name))
			if err != nil {
				return err
			}
			o.IPCs = append(o.IPCs, p)
		}
		return nil
	})
	fs.Var(newDuration(&o.Duration, 0), "duration", "how long each throughput point runs; 0s: 1s, quick 150ms")
	fs.IntVar(&o.Tasks, "tasks", 0, "no-op round trips timed per mode and path (default 20000, quick 2000)")
	fs.IntVar(&o.Starts, "starts", 0, "worker start-ups timed per mode and path (default 50, quick 15)")
	fs.IntVar(&o.Kills, "kills", 0, "workers killed and replaced per mode and path (default 20, quick 5)")
	fs.Func("sizes", "payload sizes, comma-separated (default 1KiB,64KiB,1MiB,16MiB,64MiB)", func(s string) error {
		for v := range strings.SplitSeq(s, ",") {
			n, err := parseSize(strings.TrimSpace(v))
			if err != nil || n < 1 || n > 1<<31 {
				return fmt.Errorf("%q is not a payload size (want e.g. 1KiB or 16MiB, up to 2GiB)", v)
			}
			o.Sizes = append(o.Sizes, int(n))
		}
		return nil
	})
	fs.Func("max-payload", "process-mode payload limit, e.g. 64MiB (default 64MiB)", func(s string) error {
		n, err := parseSize(s)
		if err != nil || n < 1 || n > 1<<31 {
			return fmt.Errorf("%q is not a payload limit (want e.g. 64MiB, up to 2GiB)", s)
		}
		o.MaxPayload = int(n)
		return nil
	})
	fs.IntVar(&o.InFlight, "in-flight", 0, "tasks (or chunks) outstanding per worker for throughput (default 64)")
	fs.IntVar(&o.Chunksize, "chunksize", 0, "tasks per message for batched throughput (default 100)")
	fs.IntVar(&o.Repeat, "repeat", 0, "the longer primes list is the seed's this many times (default 4)")
	fs.IntVar(&o.Goroutines, "goroutines", 0, "goroutine workers started to measure one's memory (default 5000, quick 1000)")
	fs.Var(newDuration(&o.FetchDelay, 0), "fetch-delay", "delay of the loopback pages for fetch; 0s: 50ms")
	fs.IntVar(&o.Rounds, "rounds", 0, "rounds of every measurement, the columns alternating; each figure is the median of the rounds, with their range (default 3, quick 2)")
	fs.BoolVar(&o.Quick, "quick", false, "fewer samples: every figure in well under a minute")
	fs.BoolVar(&f.json, "json", false, "print the report as one JSON object on one line")
	fs.StringVar(&f.plot, "plot", "", "write charts (PNG and SVG) to this `directory`")
	fs.BoolVar(&f.python, "python", false, "also run Python's concurrent.futures side (bench/python) and compare")
}

func newBenchCmd(stdout, stderr io.Writer) *cobra.Command {
	f := &benchFlags{}
	cmd := &cobra.Command{
		Use:   "bench [flags]",
		Short: "Measure both modes side by side",
		Long: `bench measures both modes side by side: worker start-up, no-op round trip,
throughput, payload echo, CPU-bound scaling, idle memory and replacement
after a kill, in process mode on every data path and in thread mode; with
--python, Python's concurrent.futures too, in the same run.

Progress goes to stderr; the report to stdout. See docs/benchmarks.md.`,
		Example: `  supervisor bench --quick
  supervisor bench --only=roundtrip,throughput --ipc=frame,grpc
  supervisor bench --python --plot=charts/`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := f.check(); err != nil {
				return err
			}
			return bench(f, stdout, stderr)
		},
	}
	addBenchFlags(cmd.Flags(), f)
	complete(cmd, "only", benchmark.Measurements...)
	complete(cmd, "ipc", "frame", "stream", "grpc")
	return cmd
}

// bench measures both modes side by side (docs/benchmarks.md).
func bench(f *benchFlags, stdout, stderr io.Writer) error {
	f.opts.Progress = stderr
	if f.opts.WorkerCommand = workerCommand(); f.opts.WorkerCommand != nil {
		f.opts.WorkerName = workerBinary + ", beside this binary"
	}
	if f.python {
		f.opts.Python = findPython(stderr)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), drainSignals...)
	defer cancel()
	r, err := benchmark.Run(ctx, f.opts)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if f.plot != "" {
		files, err := benchmark.Plot(r, f.plot)
		if err != nil {
			return fmt.Errorf("bench: --plot: %w", err)
		}
		fmt.Fprintf(stderr, "bench: wrote %d charts to %s\n", len(files), f.plot)
	}
	if f.json {
		return json.NewEncoder(stdout).Encode(r)
	}
	return benchmark.WriteText(stdout, r)
}

// check refuses negative numbers: zero means bench's own default.
func (f *benchFlags) check() error {
	for name, v := range map[string]int{"workers": f.opts.Workers, "tasks": f.opts.Tasks, "starts": f.opts.Starts,
		"kills": f.opts.Kills, "in-flight": f.opts.InFlight, "chunksize": f.opts.Chunksize, "repeat": f.opts.Repeat,
		"goroutines": f.opts.Goroutines, "rounds": f.opts.Rounds} {
		if v < 0 {
			return usagef("bench: --%s=%d: want a positive number", name, v)
		}
	}
	if f.opts.Workers > maxWorkers {
		return usagef("bench: --workers=%d: want at most %d", f.opts.Workers, maxWorkers)
	}
	if f.opts.Duration < 0 || f.opts.FetchDelay < 0 {
		return usagef("bench: durations must be positive")
	}
	return nil
}

// findPython looks for python3; without it bench says so in one line and
// measures the Go side alone.
func findPython(stderr io.Writer) string {
	path, err := exec.LookPath("python3")
	if err != nil {
		fmt.Fprintln(stderr, "supervisor: bench --python: python3 not found in PATH; measuring the Go side only")
		return ""
	}
	return path
}
