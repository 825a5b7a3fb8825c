package supervisor

import (
	"time"
)

// A ProcessRecord is one worker instance's life: a process in process mode,
// a goroutine in thread mode.
type ProcessRecord struct {
	Worker  int // the slot it served, 0 while a warm spare
	PID     int
	Spare   bool          // it started as a warm spare
	Startup time.Duration // spawn to first reply
	Started time.Time
	Ended   time.Time // zero while it runs
	Exit    string    // how it ended, e.g. "killed by SIGKILL"
	Planned bool      // the supervisor ended it itself
	CPU     time.Duration
	PeakRSS int64 // bytes; process mode only
}

// recordStart adds a worker instance to the history.
func (s *Supervisor) recordStart(id int, inst instance, spare bool) *ProcessRecord {
	r := &ProcessRecord{Worker: id, PID: inst.PID(), Spare: spare, Startup: inst.Startup(), Started: time.Now()}
	s.mu.Lock()
	s.history = append(s.history, r)
	s.mu.Unlock()
	return r
}

// recordEnd completes l's record.
func (s *Supervisor) recordEnd(l *life, exit string, planned bool) {
	u := usageOf(l.inst)
	s.mu.Lock()
	defer s.mu.Unlock()
	l.record.Ended, l.record.Exit, l.record.Planned = time.Now(), exit, planned
	l.record.CPU, l.record.PeakRSS = u.CPU, u.PeakRSS
}

// processes returns the record of every worker instance the supervisor has
// run, in order of start: the initial workers, then replacements. Spares
// that never served are not included.
func (s *Supervisor) processes() []ProcessRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ProcessRecord, len(s.history))
	for i, r := range s.history {
		out[i] = *r
	}
	return out
}
