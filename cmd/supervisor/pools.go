package main

import (
	"github.com/procpool/supervisor/internal/demo"
	"strconv"
	"strings"

	"github.com/procpool/supervisor/supervisor"
)

// parsePools reads each --pool NAME=N[:TASK[,TASK...]].
func parsePools(specs []string) ([]supervisor.Pool, error) {
	var pools []supervisor.Pool
	seen := map[string]bool{}
	for _, spec := range specs {
		p, err := parsePool(spec)
		if err != nil {
			return nil, err
		}
		if seen[p.Name] {
			return nil, usagef("--pool %s: pool %q is named twice", spec, p.Name)
		}
		seen[p.Name] = true
		pools = append(pools, p)
	}
	return pools, nil
}

func parsePool(spec string) (supervisor.Pool, error) {
	bad := func(why string) error {
		return usagef("--pool %s: %s (want NAME=N:TASK[,TASK...], e.g. cpu=2:primes)", spec, why)
	}
	name, rest, ok := strings.Cut(spec, "=")
	if !ok || name == "" {
		return supervisor.Pool{}, bad("no pool name")
	}
	count, tasks, _ := strings.Cut(rest, ":")
	n, err := strconv.Atoi(count)
	if err != nil || n < 1 {
		return supervisor.Pool{}, bad("the number of workers must be at least 1")
	}
	p := supervisor.Pool{Name: name, Workers: n}
	if tasks == "" {
		return p, nil // takes any task
	}
	for _, t := range strings.Split(tasks, ",") {
		if _, err := demo.Lookup(t); err != nil {
			return supervisor.Pool{}, bad("unknown task " + strconv.Quote(t))
		}
		p.Tasks = append(p.Tasks, t)
	}
	return p, nil
}

// checkRouted makes sure some pool takes every task of the workload: a
// task no pool takes is a usage error, not a failed task.
func checkRouted(pools []supervisor.Pool, names []string) error {
	if len(pools) == 0 {
		return nil
	}
	takes := map[string]bool{}
	for _, p := range pools {
		if len(p.Tasks) == 0 {
			return nil
		}
		for _, t := range p.Tasks {
			takes[t] = true
		}
	}
	for _, name := range names {
		if !takes[name] {
			return usagef("task %s: no --pool takes it", name)
		}
	}
	return nil
}
