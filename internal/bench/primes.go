package bench

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/procpool/supervisor/internal/demo"
	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// Primes is the seed's CPU-bound workload, trial division of big
// numbers, on a pool of Workers workers.
type Primes struct {
	caseFields
	List    string `json:"list"` // "seed", or "seed×K" for the longer list
	Numbers int    `json:"numbers"`
	Workers int    `json:"workers"`
	Runs    int    `json:"runs"`
	// WallNs is from the first Submit to the last result on running
	// workers: the computing, and the IPC. The median of Runs.
	WallNs int64 `json:"wall_ns"`
	// WallWithStartNs is from New to the last result: what seed_primes.py's
	// wall_ns measures, pool start-up included.
	WallWithStartNs int64 `json:"wall_with_start_ns"`
	// Speedup is the wall at one worker over the wall here, same case.
	Speedup float64 `json:"speedup"`
	// Wall and VsThreadSpread are WallNs and VsThread over the rounds.
	Wall           *Spread `json:"wall_spread,omitempty"`
	VsThreadSpread *Spread `json:"vs_thread_spread,omitempty"`
	// VsThread is the wall here over thread mode's at as many workers:
	// the cost of process isolation on CPU-bound work (1 is none).
	VsThread float64 `json:"vs_thread"`
	// Answers are the outputs in input order, e.g. "112272535095293 is
	// prime: true"; the same in every case.
	Answers []string `json:"answers"`
}

func primeLists(o Options) map[string][]string {
	var long []string
	for range o.Repeat {
		long = append(long, demo.SeedPrimes...)
	}
	return map[string][]string{"seed": demo.SeedPrimes, fmt.Sprintf("seed×%d", o.Repeat): long}
}

func primeCases(o Options) []Case {
	return append(o.cases(), Case{Mode: supervisor.ModeThread, GIL: true})
}

func measurePrimes(ctx context.Context, o Options, r *Report) error {
	runs := 3
	if o.Quick {
		runs = 1
	}
	lists := primeLists(o)
	for _, name := range []string{"seed", fmt.Sprintf("seed×%d", o.Repeat)} {
		for _, c := range primeCases(o) {
			for w := 1; w <= o.Workers; w++ {
				o.progress("primes %s, %s list, %d workers", c, name, w)
				p, err := primesPoint(ctx, o, c, w, lists[name], runs)
				if err != nil {
					return err
				}
				p.List = name
				r.Primes = append(r.Primes, p)
			}
		}
	}
	return primeRatios(r.Primes)
}

func primesPoint(ctx context.Context, o Options, c Case, w int, numbers []string, runs int) (Primes, error) {
	p := Primes{caseFields: fieldsOf(c), Numbers: len(numbers), Workers: w, Runs: runs}
	var walls, withStart []time.Duration
	for range runs {
		begin := time.Now()
		s, err := o.newPool(c, supervisor.Config{Workers: w})
		if err != nil {
			return p, err
		}
		started := time.Now()
		answers, err := testPrimes(ctx, s, numbers)
		end := time.Now()
		stop(s)
		if err != nil {
			return p, fmt.Errorf("primes %s: %w", c, err)
		}
		walls, withStart = append(walls, end.Sub(started)), append(withStart, end.Sub(begin))
		p.Answers = answers
	}
	p.WallNs, p.WallWithStartNs = int64(median(walls)), int64(median(withStart))
	return p, nil
}

// testPrimes submits every number at once, as executor.map does, and
// returns the answers in input order.
func testPrimes(ctx context.Context, s *supervisor.Supervisor, numbers []string) ([]string, error) {
	fs := make([]*supervisor.Future[[]byte], len(numbers))
	for i, n := range numbers {
		fs[i] = s.Submit(ctx, worker.Task{Name: "primes", Input: []byte(n)})
	}
	out := make([]string, len(fs))
	for i, f := range fs {
		res := f.Result()
		if res.Err != nil {
			return nil, res.Err
		}
		out[i] = string(res.Output)
	}
	return out, nil
}

// primeRatios fills in Speedup and VsThread, and checks that every case
// gave the same answers: a data path that garbled them would be a bug,
// not a figure.
func primeRatios(ps []Primes) error {
	for i := range ps {
		p := &ps[i]
		for _, q := range ps {
			if q.List != p.List {
				continue
			}
			if !slices.Equal(q.Answers, p.Answers) {
				return fmt.Errorf("primes: %s and %s disagree on the %s list: %q vs %q", p.Case, q.Case, p.List, p.Answers, q.Answers)
			}
			if q.Case == p.Case && q.Workers == 1 && p.WallNs > 0 {
				p.Speedup = float64(q.WallNs) / float64(p.WallNs)
			}
			if q.Case == "thread" && q.Workers == p.Workers && q.WallNs > 0 {
				p.VsThread = float64(p.WallNs) / float64(q.WallNs)
			}
		}
	}
	return nil
}
