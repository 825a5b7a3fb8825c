package supervisor

import (
	"errors"
	"sync/atomic"
)

// A causeCell holds why a job's attempt is being cancelled: set once per
// attempt, by whoever cancels it first (Future.Cancel, its context, its
// timeout, Stop), and read by the slot that settles the attempt. A kill on
// request (ErrKilled) is the one cause another may replace: it asks for
// another attempt, and a cancellation that follows it must still end the
// job.
type causeCell struct{ p atomic.Pointer[error] }

// set records err unless a cause is already set (other than ErrKilled,
// which any other cause replaces), and reports whether it did.
func (c *causeCell) set(err error) bool {
	for {
		old := c.p.Load()
		if old != nil && (!errors.Is(*old, ErrKilled) || errors.Is(err, ErrKilled)) {
			return false
		}
		if c.p.CompareAndSwap(old, &err) {
			return true
		}
	}
}

// get returns the cause, or nil.
func (c *causeCell) get() error {
	if p := c.p.Load(); p != nil {
		return *p
	}
	return nil
}

// reset clears the cause for a new attempt.
func (c *causeCell) reset() { c.p.Store(nil) }
