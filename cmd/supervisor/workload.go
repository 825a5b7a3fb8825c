package main

import (
	"github.com/procpool/supervisor/internal/demo"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/procpool/supervisor/internal/pages"
	"github.com/procpool/supervisor/worker"
)

// runWorkload runs one workload: the seed's primes by default. Every flag
// is checked, and every listener bound, before any worker starts.
func runWorkload(o *options, stdout io.Writer, con *console) error {
	if err := o.check(); err != nil {
		return err
	}
	tasks, cleanup, err := workloadTasks(o)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := checkRouted(o.poolSpecs, tasks.names()); err != nil {
		return err
	}
	return execute(o, tasks, stdout, con)
}

// A workload is the run's tasks: --task with its arguments, repeated, and
// the --add tasks in the middle, where they hit a busy pool. It makes them
// as they are submitted, never all at once, so that a run of ten million
// tasks holds no list of ten million (issue 12: the CLI's memory stays flat
// in the number of tasks).
type workload struct {
	name   string
	inputs [][]byte // a repeated input is one slice, not one copy per task
	repeat int
	extra  []worker.Task
}

// len is how many tasks the workload has.
func (w *workload) len() int { return len(w.inputs)*w.repeat + len(w.extra) }

// all yields the tasks in order.
func (w *workload) all(yield func(worker.Task) bool) {
	mid := len(w.inputs) * w.repeat / 2
	yieldExtra := func() bool {
		for _, t := range w.extra {
			if !yield(t) {
				return false
			}
		}
		return true
	}
	i := 0
	for range w.repeat {
		for _, in := range w.inputs {
			if i == mid && !yieldExtra() {
				return
			}
			if !yield(worker.Task{Name: w.name, Input: in}) {
				return
			}
			i++
		}
	}
	if i == mid {
		yieldExtra()
	}
}

// list makes the whole task list at once, for the cluster run, which still
// holds one (the local run streams, see execute).
func (w *workload) list() []worker.Task {
	out := make([]worker.Task, 0, w.len())
	for t := range w.all {
		out = append(out, t)
	}
	return out
}

// names are the task names the workload uses.
func (w *workload) names() []string {
	names := []string{w.name}
	for _, t := range w.extra {
		if !slices.Contains(names, t.Name) {
			names = append(names, t.Name)
		}
	}
	return names
}

// workloadTasks is the run's workload: --task with its arguments, repeated,
// and the --add tasks in the middle.
func workloadTasks(o *options) (*workload, func(), error) {
	site := &pageServer{delay: o.fetchDelay}
	inputs, err := workloadInputs(o, site)
	if err != nil {
		site.close()
		return nil, func() {}, err
	}
	cleanup := site.close
	var extra []worker.Task
	for _, spec := range o.adds {
		more, err := parseAdd(spec, site)
		if err != nil {
			cleanup()
			return nil, func() {}, err
		}
		extra = append(extra, more...)
		if len(extra) > maxTasks {
			cleanup()
			return nil, func() {}, usagef("--add: more than %d tasks, the most one run holds", maxTasks)
		}
	}
	if err := checkTotal(o, inputs, extra); err != nil {
		cleanup()
		return nil, func() {}, err
	}
	w := &workload{name: o.task, inputs: make([][]byte, len(inputs)), repeat: o.repeat, extra: extra}
	for i, in := range inputs {
		w.inputs[i] = []byte(in)
	}
	return w, cleanup, nil
}

// parseAdd reads TASK[:INPUT][*N]: N tasks of TASK with INPUT (default:
// the task's first default input; for fetch, the built-in pages in turn).
func parseAdd(spec string, site *pageServer) ([]worker.Task, error) {
	body, count := spec, 1
	if i := strings.LastIndexByte(spec, '*'); i >= 0 {
		n, err := strconv.Atoi(spec[i+1:])
		if err != nil || n < 1 || n > maxTasks {
			return nil, usagef("--add=%s: the count after * must be from 1 to %d", spec, maxTasks)
		}
		body, count = spec[:i], n
	}
	name, input, hasInput := strings.Cut(body, ":")
	def, err := demo.Lookup(name)
	if err != nil {
		return nil, usagef("--add=%s: unknown task %q%s (see supervisor tasks)", spec, name, didYouMean(name, taskNames(), identity))
	}
	inputs := []string{input}
	switch {
	case hasInput:
	case name == "fetch":
		if inputs, err = site.urls(); err != nil {
			return nil, err
		}
	case len(def.Defaults) > 0:
		inputs = def.Defaults[:1]
	default:
		return nil, usagef("--add=%s: task %s needs an input: %s:INPUT", spec, name, name)
	}
	if err := demo.CheckInput(name, inputs[0]); err != nil {
		return nil, usagef("--add=%s: %v", spec, err)
	}
	shared := make([][]byte, len(inputs))
	for i, in := range inputs {
		shared[i] = []byte(in)
	}
	out := make([]worker.Task, count)
	for i := range out {
		out[i] = worker.Task{Name: name, Input: shared[i%len(shared)]}
	}
	return out, nil
}

// workloadInputs checks the task and its arguments, and supplies the
// defaults: the seed's list for primes, the built-in pages (and the seed's
// made-up host) for fetch.
func workloadInputs(o *options, site *pageServer) ([]string, error) {
	def, err := demo.Lookup(o.task)
	if err != nil {
		return nil, usagef("--task=%s: unknown task (see supervisor tasks)", o.task)
	}
	inputs := o.args
	switch {
	case len(inputs) > 0:
	case o.task == "fetch":
		urls, err := site.urls()
		if err != nil {
			return nil, err
		}
		inputs = append(urls, demo.MadeUpURL)
	default:
		inputs = def.Defaults
	}
	if len(inputs) == 0 {
		return nil, usagef("task %s needs an argument: %s", def.Name, def.Args)
	}
	for _, in := range inputs {
		if err := demo.CheckInput(o.task, in); err != nil {
			return nil, usagef("%v", err)
		}
	}
	return inputs, nil
}

// checkTotal bounds the run's tasks and input bytes before they are
// allocated: --repeat=9223372036854775807 used to panic in makeslice.
func checkTotal(o *options, inputs []string, extra []worker.Task) error {
	if len(inputs) > 0 && o.repeat > (maxTasks-len(extra))/len(inputs) {
		return usagef("--repeat=%d: the run would have more than %d tasks, the most one run holds", o.repeat, maxTasks)
	}
	size := 0
	for _, in := range inputs {
		size += len(in)
	}
	if size > 0 && o.repeat > maxInputBytes/size {
		return usagef("--repeat=%d: the inputs would take more than %s", o.repeat, formatSize(maxInputBytes))
	}
	return nil
}

// pageServer starts the built-in pages for fetch the first time they are
// needed.
type pageServer struct {
	delay time.Duration
	srv   *pages.Server
}

func (p *pageServer) urls() ([]string, error) {
	if p.srv == nil {
		srv, err := pages.Start(pages.Default, p.delay)
		if err != nil {
			return nil, err
		}
		p.srv = srv
	}
	return p.srv.URLs(pages.Default), nil
}

func (p *pageServer) close() {
	if p.srv != nil {
		p.srv.Close()
	}
}
