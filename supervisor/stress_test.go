//go:build unix

package supervisor

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// The randomized, seeded stress suite of the public API (issue 9): runs of
// random concurrent operations on a pool of real workers, in both modes,
// with faults injected from inside (fault tasks, kills on request) and from
// outside (signals to worker processes and spares, also while they start),
// each run ending with a Stop and the checks of stress_check_test.go. One
// seed drives every random choice of a run, so a failure prints the
// command that replays it.
//
// Off unless asked: -stress.duration (or SUPERVISOR_STRESS) says for how
// long, e.g. `go test -race -run 'TestStress$' ./supervisor/
// -stress.duration=30s`, or `make soak SOAK=10m`.

var (
	stressSeed     = flag.Uint64("stress.seed", 0, "seed of the first stress run (run k uses seed+k); 0 picks one from the clock")
	stressDuration = flag.Duration("stress.duration", 0, "how long the stress suite runs; 0 reads SUPERVISOR_STRESS, and if that is empty the suite is skipped")
	stressRuns     = flag.Int("stress.runs", 0, "stop after this many runs (0: as many as fit in the duration)")
	stressOps      = flag.Int("stress.ops", 150, "operations per run, at most")
	stressMode     = flag.String("stress.mode", "", "process or thread: run only that mode (the seed still decides the rest)")
	stressMaxFail  = flag.Int("stress.maxfail", 5, "stop after this many failing runs: past a few, more say little new")
	stressRunTime  = flag.Duration("stress.runtime", 6*time.Second, "how long a run's operations may go on, at most")
)

// stressEnv is the environment variable that turns the suite on from make.
const stressEnv = "SUPERVISOR_STRESS"

func TestStress(t *testing.T) {
	d := stressBudget(t)
	seed := *stressSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	base := stressTempBase(t)
	var total stressFigures
	classes := map[string]int{}
	failing := 0
	end := time.Now().Add(d)
	for k := 0; time.Now().Before(end) || (*stressRuns > 0 && k == 0); k++ {
		if *stressRuns > 0 && k >= *stressRuns {
			break
		}
		r := newStressRun(t, seed+uint64(k), base)
		t.Logf("run %d: seed=%d %s", k+1, r.seed, r.cfgString())
		r.execute()
		total.add(r.figures)
		if len(r.violations) == 0 {
			continue
		}
		failing++
		for _, v := range r.violations {
			classes[v.class]++
		}
		t.Errorf("stress run %d failed: seed=%d %s\nreplay: %s\n%s", k+1, r.seed, r.cfgString(), replayCommand(r.seed), r.report())
		if failing >= *stressMaxFail {
			t.Logf("stopping after %d failing runs", failing)
			break
		}
	}
	summary := fmt.Sprintf("stress: %s; %d failing runs%s; first seed=%d", total, failing, classList(classes), seed)
	t.Log(summary)
	fmt.Fprintln(os.Stderr, summary)
}

// replayCommand is the command that replays the run of seed: the same
// seed, one run, and the other stress flags that were set. The seed fixes
// every choice of the run, not the timing of its goroutines: -count
// replays it a few times over.
func replayCommand(seed uint64) string {
	cmd := fmt.Sprintf("go test -race -count=20 -run 'TestStress$' ./supervisor/ -v -stress.runs=1 -stress.seed=%d", seed)
	flag.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "stress.mode", "stress.ops", "stress.runtime":
			cmd += fmt.Sprintf(" -%s=%s", f.Name, f.Value)
		}
	})
	return cmd
}

// stressBudget is how long the suite runs, or skips the test.
func stressBudget(t *testing.T) time.Duration {
	d := *stressDuration
	if d == 0 && *stressRuns == 0 {
		v := os.Getenv(stressEnv)
		if v == "" {
			t.Skipf("the stress suite is off: set -stress.duration or %s (e.g. 30s), or run make soak", stressEnv)
		}
		var err error
		if d, err = time.ParseDuration(v); err != nil || d <= 0 {
			t.Fatalf("%s=%q: want a positive duration such as 30s", stressEnv, v)
		}
	}
	return d
}

// stressTempBase makes the directory below which each run gets a TMPDIR
// of its own, short enough for the Unix socket paths made in it.
func stressTempBase(t *testing.T) string {
	base, err := os.MkdirTemp("", "st")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(base) })
	t.Setenv("TMPDIR", base)
	return base
}

// classList formats failure classes with their counts, sorted.
func classList(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for _, c := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s×%d", c, m[c]))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// stressFigures are what a run did, summed over runs for the report.
type stressFigures struct {
	runs, ops, tasks, faults int
}

func (f *stressFigures) add(g stressFigures) {
	f.runs += g.runs
	f.ops += g.ops
	f.tasks += g.tasks
	f.faults += g.faults
}

func (f stressFigures) String() string {
	return fmt.Sprintf("%d runs, %d operations, %d tasks, %d faults injected", f.runs, f.ops, f.tasks, f.faults)
}
