package bench

import (
	"context"
	"time"
)

// A measurement adds its figures to the report.
type measurement func(ctx context.Context, o Options, r *Report) error

// Run measures what o asks for, in the order of Measurements, then runs
// the Python side if o.Python is set, and compares.
func Run(ctx context.Context, o Options) (*Report, error) {
	o = o.withDefaults()
	begin := time.Now()
	r := &Report{Machine: machine(), Settings: settings(o), Notes: []string{}}
	urls, closePages, err := o.pages()
	if err != nil {
		return nil, err
	}
	defer closePages()
	steps := map[string]measurement{
		"startup": measureStartup, "roundtrip": measureRoundTrip, "throughput": measureThroughput,
		"payload": measurePayload, "primes": measurePrimes, "memory": measureMemory,
		"replace": measureReplace,
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
		if r.Python, err = runPython(ctx, o, urls); err != nil {
			return nil, err
		}
		r.Ratios = compare(r)
		r.Notes = append(r.Notes, checkPythonAnswers(r)...)
	}
	r.Notes = append(r.Notes, notes(o, r)...)
	r.ElapsedNs = elapsedSince(begin)
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
