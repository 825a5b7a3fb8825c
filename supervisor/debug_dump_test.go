package supervisor

import "fmt"

func (s *Supervisor) debugDump() string {
	out := ""
	for _, p := range s.pools {
		p.mu.Lock()
		out += fmt.Sprintf("pool %s closed=%v forced=%v paused=%v waiting=%d running=%d qlen=%d idle=%d groups=%d\n", p.Name, p.closed, p.forced, p.paused, p.waiting, p.running, p.q.len(), len(p.idle), len(p.groups))
		for d, g := range p.groups {
			n := 0
			for j := g.first; j != nil; j = j.wnext {
				n++
			}
			out += fmt.Sprintf("  group dead=%v jobs=%d ctxdone=%v\n", g.dead, n, isDone(d))
		}
		for _, sl := range p.slots {
			out += fmt.Sprintf("  slot %d running=%d inbox=%d state=%v flights=? waiting=%v\n", sl.id, len(sl.running), len(sl.inbox), WorkerState(sl.state.Load()), sl.waiting())
			for _, j := range sl.running {
				out += fmt.Sprintf("    job %d state=%d ticket=%d chunk=%v cause=%v\n", j.id, j.state, j.ticket, j.chunk != nil, j.cause.get())
			}
		}
		p.mu.Unlock()
	}
	return out
}
