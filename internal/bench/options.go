package bench

import (
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/procpool/supervisor/supervisor"
)

// Measurements are the names Options.Only accepts, in the order they run.
// Memory comes first, while the supervisor's own heap is still small.
var Measurements = []string{"memory", "startup", "roundtrip", "scaling", "throughput", "payload", "primes", "replace", "fetch"}

// Sizes are the payload sizes measured by default.
var Sizes = []int{1 << 10, 64 << 10, 1 << 20, 16 << 20, 64 << 20}

// Options say what to measure and for how long. Zero values are the
// defaults documented on each field; with Quick set they are smaller, so
// that a whole run takes well under a minute and still gives every figure.
type Options struct {
	// Only names the measurements to run (see Measurements). Default all.
	Only []string
	// Workers is the most workers: throughput and primes run at 1, 2, ...
	// Workers; memory and pool start-up at Workers. Default GOMAXPROCS.
	Workers int
	// IPCs are the process-mode data paths to measure. Default all three.
	// Thread mode is always measured alongside.
	IPCs []supervisor.IPC
	// Duration is how long each throughput point runs. Default 1s (quick
	// 150ms).
	Duration time.Duration
	// Tasks is how many no-op round trips are timed per mode and data
	// path. Default 20000 (quick 2000).
	Tasks int
	// Starts is how many worker start-ups are timed per mode and data
	// path. Default 50 (quick 15).
	Starts int
	// Kills is how many killed workers are replaced per mode and data path,
	// with a warm spare and cold. Default 20 (quick 5).
	Kills int
	// Sizes are the payload sizes, in bytes. Default Sizes.
	Sizes []int
	// MaxPayload is the process-mode payload limit (Config.MaxPayload).
	// Default supervisor.DefaultMaxPayload.
	MaxPayload int
	// InFlight is Config.InFlight for the throughput measurements: tasks
	// (or chunks) outstanding per worker. Default 64.
	InFlight int
	// Chunksize is the batched throughput's chunk, like Python's
	// map(chunksize=100). Default 100.
	Chunksize int
	// Repeat makes the longer primes list: the seed's list this many times
	// over. Default 4.
	Repeat int
	// Goroutines is how many goroutine workers are started to measure the
	// memory of one. Default 5000 (quick 1000).
	Goroutines int
	// FetchDelay is how long the loopback page server waits before each
	// page, standing in for the network. Default 50ms.
	FetchDelay time.Duration
	// Python is the Python interpreter that runs bench/python's scripts in
	// the same run. Default "": no Python side.
	Python string
	// Rounds is how many times every measurement runs, its columns
	// alternating in each round; each figure is then the median of the
	// rounds, with their range. The sample counts and durations above are
	// for the whole run, shared among the rounds. Default 3 (quick 2).
	Rounds int
	// Quick makes every default smaller.
	Quick bool
	// WorkerCommand starts a worker process (Config.WorkerCommand).
	// Default: this executable with the argument "worker".
	WorkerCommand func() (*exec.Cmd, error)
	// WorkerName says what WorkerCommand runs, for the report.
	WorkerName string
	// Progress receives a line as each measurement starts. Default: none.
	Progress io.Writer
}

func (o Options) withDefaults() Options {
	pick := func(full, quick int) int {
		if o.Quick {
			return quick
		}
		return full
	}
	if len(o.Only) == 0 {
		o.Only = Measurements
	}
	o.Workers = orInt(o.Workers, runtime.GOMAXPROCS(0))
	if len(o.IPCs) == 0 {
		o.IPCs = []supervisor.IPC{supervisor.IPCGRPC, supervisor.IPCStream, supervisor.IPCFrame}
	}
	if o.Duration <= 0 {
		o.Duration = time.Duration(pick(1000, 150)) * time.Millisecond
	}
	o.Tasks = orInt(o.Tasks, pick(20000, 2000))
	o.Starts = orInt(o.Starts, pick(50, 15))
	o.Kills = orInt(o.Kills, pick(20, 5))
	if len(o.Sizes) == 0 {
		o.Sizes = Sizes
	}
	o.MaxPayload = orInt(o.MaxPayload, supervisor.DefaultMaxPayload)
	o.InFlight = orInt(o.InFlight, 64)
	o.Chunksize = orInt(o.Chunksize, 100)
	o.Repeat = orInt(o.Repeat, 4)
	o.Goroutines = orInt(o.Goroutines, pick(5000, 1000)) // 10000 is over Go's thread limit (see internal/limits)
	o.Rounds = orInt(o.Rounds, pick(3, 2))
	if o.FetchDelay <= 0 {
		o.FetchDelay = 50 * time.Millisecond
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	return o
}

func orInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// ParseOnly checks a comma-separated list of measurement names.
func ParseOnly(s string) ([]string, error) {
	var out []string
	for name := range strings.SplitSeq(s, ",") {
		name = strings.TrimSpace(name)
		if !slices.Contains(Measurements, name) {
			return nil, fmt.Errorf("unknown measurement %q (want some of %s)", name, strings.Join(Measurements, ","))
		}
		out = append(out, name)
	}
	return out, nil
}

func (o Options) runs(name string) bool { return slices.Contains(o.Only, name) }

func (o Options) progress(format string, args ...any) {
	fmt.Fprintf(o.Progress, "bench: "+format+"\n", args...)
}
