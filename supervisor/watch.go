package supervisor

import "context"

// A watchGroup is the jobs pending under contexts that share one Done
// channel (a Map call's chunks, or the tasks a caller submits under one
// context), with the one context.AfterFunc that cancels them all when it
// closes. One registration per context instead of one per job: an
// AfterFunc costs an allocation and a child entry on the caller's context
// (its lock, a map insert, and a delete when stopped), which per job was
// most of what a cancellable context cost a task (issue 12).
//
// Its fields are guarded by the pool's lock.
type watchGroup struct {
	done  <-chan struct{}
	stop  func() bool
	first *job // the jobs, linked through job.wnext and job.wprev
	dead  bool // the context ended: the group is being cancelled
}

// watch makes the end of j's context cancel it, wherever it is by then;
// the caller holds p.mu. A context that cannot end costs nothing.
func (p *pool) watch(j *job) {
	done := j.ctx.Done()
	if done == nil || j.group != nil {
		return
	}
	g := p.groups[done]
	if g == nil {
		if p.groups == nil {
			p.groups = map[<-chan struct{}]*watchGroup{}
		}
		g = &watchGroup{done: done}
		p.groups[done] = g
		g.stop = context.AfterFunc(j.ctx, func() { p.cancelGroup(g) })
	}
	j.group, j.wprev, j.wnext = g, nil, g.first
	if g.first != nil {
		g.first.wprev = j
	}
	g.first = j
}

// unwatch takes j out of its group, and drops the group once it is empty;
// the caller holds p.mu.
func (p *pool) unwatch(j *job) {
	g := j.group
	if g == nil {
		return
	}
	if j.wprev != nil {
		j.wprev.wnext = j.wnext
	} else {
		g.first = j.wnext
	}
	if j.wnext != nil {
		j.wnext.wprev = j.wprev
	}
	j.group, j.wprev, j.wnext = nil, nil, nil
	if g.first == nil && !g.dead {
		g.stop()
		delete(p.groups, g.done)
	}
}

// cancelGroup cancels every job of g, each with its own context's cause:
// their contexts share the Done channel that closed.
func (p *pool) cancelGroup(g *watchGroup) {
	p.mu.Lock()
	g.dead = true
	if p.groups[g.done] == g {
		delete(p.groups, g.done)
	}
	var jobs []*job
	for j := g.first; j != nil; {
		next := j.wnext
		j.group, j.wprev, j.wnext = nil, nil, nil
		jobs = append(jobs, j)
		j = next
	}
	g.first = nil
	p.mu.Unlock()
	for _, j := range jobs {
		p.cancel(j, context.Cause(j.ctx))
	}
}
