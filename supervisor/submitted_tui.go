package supervisor

// Submitted is how many tasks have been submitted so far. With Counts it
// gives a live view its progress (done of total) without the caller having
// to count its own submissions.
func (s *Supervisor) Submitted() int { return int(s.nextID.Load()) }
