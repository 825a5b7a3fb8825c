package supervisor

import "fmt"

func (s *Supervisor) debugDump() string {
	out := ""
	for _, p := range s.pools {
		p.mu.Lock()
		out += fmt.Sprintf("pool %s closed=%v forced=%v waiting=%d running=%d qlen=%d idle=%d\n", p.Name, p.closed, p.forced, p.waiting, p.running, p.q.len(), len(p.idle))
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
