package supervisor

import (
	"fmt"
	"time"

	"github.com/procpool/supervisor/internal/procfs"
	"github.com/procpool/supervisor/internal/units"
)

// sampleEvery is how often worker processes' memory and CPU are read: often
// enough for a live view and for a leak to be caught early, rarely enough
// to cost nothing measurable.
const sampleEvery = 200 * time.Millisecond

// sample reads each worker process's RSS and CPU time from /proc, for
// Stats, and replaces a worker over Config.MaxWorkerRSS.
func (s *Supervisor) sample() {
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	last := map[int]procfs.Stat{}
	for {
		select {
		case <-s.stopping:
			return
		case now := <-t.C:
			seen := map[int]procfs.Stat{}
			for _, sl := range s.allSlots() {
				sl.sampleOnce(now, last, seen)
			}
			last = seen
		}
	}
}

func (sl *slot) sampleOnce(now time.Time, last, seen map[int]procfs.Stat) {
	l := sl.life.Load()
	if l == nil || isDone(l.inst.Done()) {
		return
	}
	pid := l.inst.PID()
	sampleMemory(l.inst)
	st, err := procfs.Read(pid)
	if err != nil {
		return // gone between the check and the read; the slot will notice
	}
	st.At = now
	seen[pid] = st
	smp := &resourceSample{rss: st.RSS}
	if prev, ok := last[pid]; ok {
		smp.cpu = st.CPUPercentSince(prev)
	}
	if old := sl.sample.Load(); old != nil && old.cpus != "" && ok(last, pid) {
		smp.cpus = old.cpus // the affinity is set once, when the worker is placed: read it once
	} else {
		smp.cpus, _ = procfs.CPUsAllowed(pid)
	}
	sl.sample.Store(smp)
	if limit := sl.s.cfg.MaxWorkerRSS; limit > 0 && st.RSS > limit {
		sl.overMemory(l, st.RSS, limit)
	}
}

func ok(m map[int]procfs.Stat, pid int) bool { _, in := m[pid]; return in }

// overMemory replaces a worker that passed the memory limit; the task it
// was executing fails with ErrMemoryLimit.
func (sl *slot) overMemory(l *life, rss, limit int64) {
	l.mu.Lock()
	first := l.memory == ""
	if first {
		l.memory = fmt.Sprintf("worker %d RSS %s passed the limit of %s (Config.MaxWorkerRSS)",
			sl.id, units.MiB(rss), units.MiB(limit))
	}
	l.mu.Unlock()
	if !first {
		return
	}
	l.plan(CauseMemory)
	_ = l.inst.Kill()
}
