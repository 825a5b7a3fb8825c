package supervisor

import (
	"time"
)

// WorkerInfo is a snapshot of one worker.
type WorkerInfo struct {
	ID       int
	Pool     string
	PID      int // the supervisor's own in thread mode
	State    WorkerState
	TaskID   uint64        // the task it runs, if busy (the oldest, when pipelining)
	Task     string        // that task's name
	Input    []byte        // the start of that task's input, at most 40 bytes
	Busy     time.Duration // how long it has run that task
	Done     int64         // tasks that ended here ok
	Failed   int64         // tasks that ended here not ok
	Restarts int64
	RSS      int64   // bytes, process mode only
	CPU      float64 // percent of one CPU, process mode only
	CPUs     string  // the CPUs its process may run on, e.g. "0-1"; process mode only
	Started  time.Time
	Startup  time.Duration
}

// Stats is a snapshot of the supervisor: its tasks, its workers, and the
// worker instances it has run.
type Stats struct {
	Submitted int64            // tasks submitted so far (each input of a Map call is one)
	Queued    int              // waiting for a worker
	Running   int              // on workers
	Ended     map[Status]int64 // tasks ended, by status
	Paused    bool             // dispatch paused (the live view's "p")
	Startup   time.Duration    // how long New took to start every worker, in parallel
	Workers   []WorkerInfo     // by id
	// Processes is every worker instance run so far, in order of start:
	// the first workers, then replacements. Spares that never served are
	// not included.
	Processes []ProcessRecord
}

// Stats returns a snapshot of the supervisor.
func (s *Supervisor) Stats() Stats {
	st := Stats{Submitted: int64(s.nextID.Load()), Ended: map[Status]int64{}, Startup: s.startup}
	for i := range s.counts {
		if n := s.counts[i].Load(); n > 0 {
			st.Ended[Status(i)] = n
		}
	}
	now := time.Now()
	for _, p := range s.pools {
		p.mu.Lock()
		st.Queued += p.waiting
		st.Running += p.running
		st.Paused = st.Paused || p.paused
		for _, sl := range p.slots {
			st.Workers = append(st.Workers, sl.infoLocked(now))
		}
		p.mu.Unlock()
	}
	sortWorkers(st.Workers)
	st.Processes = s.processes()
	return st
}

// infoLocked snapshots the slot; the caller holds its pool's lock.
func (sl *slot) infoLocked(now time.Time) WorkerInfo {
	wi := WorkerInfo{ID: sl.id, Pool: sl.p.Name, State: WorkerState(sl.state.Load()),
		Done: sl.done.Load(), Failed: sl.failed.Load(), Restarts: sl.restarts.Load()}
	if l := sl.life.Load(); l != nil {
		wi.PID, wi.Started, wi.Startup = l.inst.PID(), l.began, l.inst.Startup()
	}
	if smp := sl.sample.Load(); smp != nil {
		wi.RSS, wi.CPU, wi.CPUs = smp.rss, smp.cpu, smp.cpus
	}
	var oldest *job
	for _, j := range sl.running {
		if j.ticket != 0 && (oldest == nil || j.began.Before(oldest.began)) {
			oldest = j
		}
	}
	if oldest != nil {
		wi.TaskID, wi.Task, wi.Busy = oldest.id, oldest.task.Name, now.Sub(oldest.began)
		in := oldest.task.Input
		wi.Input = append([]byte(nil), in[:min(len(in), 40)]...)
	}
	return wi
}

func sortWorkers(ws []WorkerInfo) {
	for i := 1; i < len(ws); i++ {
		for k := i; k > 0 && ws[k].ID < ws[k-1].ID; k-- {
			ws[k], ws[k-1] = ws[k-1], ws[k]
		}
	}
}
