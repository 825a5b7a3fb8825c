package supervisor

import (
	"fmt"
	"syscall"
	"time"

	"github.com/procpool/supervisor/internal/procfs"
	"github.com/procpool/supervisor/internal/units"
)

// sampleEvery is how often worker processes' memory and CPU are read: often
// enough for a live view and for a leak to be caught early, rarely enough
// to cost nothing measurable.
const sampleEvery = 200 * time.Millisecond

// sample reads each worker process's RSS and CPU time from /proc, for
// Workers, and replaces a worker over Config.MaxWorkerRSS.
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
				sl.sample(now, last, seen)
			}
			last = seen
		}
	}
}

func (sl *slot) sample(now time.Time, last, seen map[int]procfs.Stat) {
	l := sl.current()
	if l == nil || isDone(l.inst.Done()) {
		return
	}
	pid := l.inst.PID()
	st, err := procfs.Read(pid)
	if err != nil {
		return // gone between the check and the read; the slot will notice
	}
	st.At = now
	seen[pid] = st
	cpu := 0.0
	if prev, ok := last[pid]; ok {
		cpu = st.CPUPercentSince(prev)
	}
	sl.mu.Lock()
	sl.rss, sl.cpu = st.RSS, cpu
	known := sl.cpus != ""
	sl.mu.Unlock()
	if !known { // the affinity is set once, when the worker is placed: read it once
		cpus, _ := procfs.CPUsAllowed(pid)
		sl.mu.Lock()
		sl.cpus = cpus
		sl.mu.Unlock()
	}
	if limit := sl.s.cfg.MaxWorkerRSS; limit > 0 && st.RSS > limit {
		sl.overMemory(l, st.RSS, limit)
	}
}

// overMemory replaces a worker that passed the memory limit; its task, if
// any, fails with ErrMemoryLimit.
func (sl *slot) overMemory(l *life, rss, limit int64) {
	l.mu.Lock()
	first := l.memory == ""
	if first {
		l.memory = fmt.Sprintf("worker %d RSS %s passed the limit of %s (--max-worker-rss)",
			sl.id, units.MiB(rss), units.MiB(limit))
	}
	l.mu.Unlock()
	if !first {
		return
	}
	l.plan("replaced: over the memory limit")
	if sg, ok := l.inst.(signaller); ok {
		_ = sg.Signal(syscall.SIGKILL)
	}
}
