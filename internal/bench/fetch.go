package bench

import (
	"context"
	"fmt"
	"github.com/procpool/supervisor/internal/clitext"
	"strconv"
	"strings"
	"time"

	"github.com/procpool/supervisor/internal/demo"
	"github.com/procpool/supervisor/internal/pages"
	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// fetchWorkers is the seed's ThreadPoolExecutor(max_workers=5).
const fetchWorkers = 5

// Fetch is the seed's I/O-bound example: fetch every URL, one task each,
// on five workers, from the loopback page server and one made-up host.
type Fetch struct {
	caseFields
	Workers int `json:"workers"`
	// WallNs is from New to the last result, as seed_fetch.py's wall_ns
	// runs from the executor's construction.
	WallNs int64 `json:"wall_ns"`
	// Wall is WallNs over the rounds (see Spread).
	Wall    *Spread       `json:"wall_spread,omitempty"`
	Results []FetchResult `json:"results"` // in input order
}

// FetchResult is one URL's outcome: its size, or the error.
type FetchResult struct {
	URL   string `json:"url"`
	Bytes int    `json:"bytes"` // -1 when it failed
	Error string `json:"error,omitempty"`
}

// pageServer starts the loopback page server and returns the seed's URLs:
// its pages and the made-up host.
func pageServer(o Options) (*pages.Server, []string, error) {
	srv, err := pages.Start(pages.Default, o.FetchDelay)
	if err != nil {
		return nil, nil, err
	}
	return srv, append(srv.URLs(pages.Default), demo.MadeUpURL), nil
}

func measureFetch(ctx context.Context, o Options, urls []string, r *Report) error {
	for _, c := range o.cases() {
		o.progress("fetch %s: %d URLs on %d workers", c, len(urls), fetchWorkers)
		f, err := fetchAll(ctx, o, c, urls)
		if err != nil {
			return err
		}
		r.Fetch = append(r.Fetch, f)
	}
	return nil
}

func fetchAll(ctx context.Context, o Options, c Case, urls []string) (Fetch, error) {
	f := Fetch{caseFields: fieldsOf(c), Workers: fetchWorkers}
	begin := time.Now()
	s, err := o.newPool(c, supervisor.Config{Workers: fetchWorkers})
	if err != nil {
		return f, err
	}
	defer stop(s)
	fs := make([]*supervisor.Future[[]byte], len(urls))
	for i, u := range urls {
		fs[i] = s.Submit(ctx, worker.Task{Name: "fetch", Input: []byte(u)})
	}
	for i, fu := range fs {
		res := fu.Result()
		fr := FetchResult{URL: urls[i], Bytes: -1}
		if res.Err != nil {
			fr.Error = clitext.Err(res.Err)
		} else if fr.Bytes, err = pageSize(string(res.Output)); err != nil {
			return f, fmt.Errorf("fetch %s: %w", c, err)
		}
		f.Results = append(f.Results, fr)
	}
	f.WallNs = int64(time.Since(begin))
	return f, nil
}

// pageSize reads N from the fetch task's "'URL' page is N bytes".
func pageSize(out string) (int, error) {
	_, rest, ok := strings.Cut(out, "' page is ")
	n, err := strconv.Atoi(strings.TrimSuffix(rest, " bytes"))
	if !ok || err != nil {
		return 0, fmt.Errorf("unexpected fetch output %q", out)
	}
	return n, nil
}
