package supervisor

import (
	"slices"
	"time"
)

// WorkerInfo is a snapshot of one worker, for "supervisor ps" and live
// views.
type WorkerInfo struct {
	ID       int
	Pool     string
	PID      int // the supervisor's own in thread mode
	State    WorkerState
	TaskID   uint64        // the task it runs, if busy (the oldest, when pipelining)
	Task     string        // that task's name
	Input    string        // that task's input, cut to 40 bytes
	Busy     time.Duration // how long it has run that task
	Done     int           // tasks that ended here ok
	Failed   int           // tasks that ended here not ok
	Restarts int
	RSS      int64   // bytes, process mode only
	CPU      float64 // percent of one CPU, process mode only
	CPUs     string  // the CPUs its process may run on, e.g. "0-1" or "1"; process mode only
	Started  time.Time
	Startup  time.Duration
}

// Workers returns a snapshot of every worker, by id.
func (s *Supervisor) Workers() []WorkerInfo {
	now := time.Now()
	slots := s.allSlots()
	out := make([]WorkerInfo, 0, len(slots))
	for _, sl := range slots {
		out = append(out, sl.info(now))
	}
	return out
}

func (sl *slot) info(now time.Time) WorkerInfo {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	wi := WorkerInfo{ID: sl.id, Pool: sl.pool.Name, State: sl.state, Done: sl.done, Failed: sl.failed,
		Restarts: sl.restarts, RSS: sl.rss, CPU: sl.cpu, CPUs: sl.cpus}
	if l := sl.life; l != nil {
		wi.PID, wi.Started, wi.Startup = l.inst.PID(), l.began, l.inst.Startup()
	}
	if a := sl.oldest(); a != nil {
		wi.TaskID, wi.Task, wi.Busy = a.job.id, a.job.task.Name, now.Sub(a.began)
		wi.Input = string(a.job.task.Input[:min(len(a.job.task.Input), 40)])
	}
	return wi
}

// oldest is the longest-running attempt; the caller holds sl.mu.
func (sl *slot) oldest() *attempt {
	var all []*attempt
	for _, a := range sl.running {
		all = append(all, a)
	}
	if len(all) == 0 {
		return nil
	}
	return slices.MinFunc(all, func(a, b *attempt) int { return a.began.Compare(b.began) })
}
