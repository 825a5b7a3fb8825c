package bench

import (
	"context"
	"time"
)

// A measurement adds its figures to the report.
type measurement func(ctx context.Context, o Options, r *Report) error

// Run measures what o asks for, in the order of Measurements, in
// o.Rounds rounds (see rounds.go), with the Python side in each round if
// o.Python is set, and compares.
func Run(ctx context.Context, o Options) (*Report, error) {
	o = o.withDefaults()
	begin := time.Now()
	urls, closePages, err := o.pages()
	if err != nil {
		return nil, err
	}
	defer closePages()
	var rounds []*Report
	for i := range o.Rounds {
		o.progress("round %d of %d", i+1, o.Rounds)
		rr, err := runRound(ctx, o.round(), urls)
		if err != nil {
			return nil, err
		}
		rounds = append(rounds, rr)
	}
	r := merge(rounds)
	r.Machine, r.Settings, r.Notes = machine(), settings(o), []string{}
	if r.Python != nil {
		r.Ratios = compare(r)
		r.Notes = append(r.Notes, checkPythonAnswers(r)...)
	}
	r.Notes = append(r.Notes, notes(o, r)...)
	r.ElapsedNs = elapsedSince(begin)
	return r, nil
}

// round is o for one round: the run's samples shared among the rounds.
func (o Options) round() Options {
	n := o.Rounds
	share := func(x int) int { return (x + n - 1) / n }
	o.Tasks, o.Starts, o.Kills = share(o.Tasks), share(o.Starts), share(o.Kills)
	o.Duration = max(o.Duration/time.Duration(n), 10*time.Millisecond)
	return o
}

// runRound runs every measurement once, then the Python side.
func runRound(ctx context.Context, o Options, urls []string) (*Report, error) {
	r := &Report{}
	steps := map[string]measurement{
		"startup": measureStartup, "roundtrip": measureRoundTrip, "scaling": measureScaling,
		"throughput": measureThroughput, "payload": measurePayload, "primes": measurePrimes,
		"memory": measureMemory, "replace": measureReplace,
		"fetch": func(ctx context.Context, o Options, r *Report) error {
			return measureFetch(ctx, o, urls, r)
		},
	}
	for _, name := range Measurements {
		if !o.runs(name) {
			continue
		}
		if err := steps[name](ctx, o, r); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if o.Python != "" {
		py, err := runPython(ctx, o, urls)
		if err != nil {
			return nil, err
		}
		r.Python = py
		pythonPeers(r)
	}
	return r, nil
}

// pages starts the loopback page server when fetching is measured.
func (o Options) pages() ([]string, func(), error) {
	if !o.runs("fetch") {
		return nil, func() {}, nil
	}
	srv, urls, err := pageServer(o)
	if err != nil {
		return nil, nil, err
	}
	return urls, func() { _ = srv.Close() }, nil
}
