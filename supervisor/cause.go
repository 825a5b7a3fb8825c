package supervisor

import "sync/atomic"

// A causeCell holds why a job's attempt is being cancelled: set once per
// attempt, by whoever cancels it first (Future.Cancel, its context, its
// timeout, Stop), and read by the slot that settles the attempt.
type causeCell struct{ p atomic.Pointer[error] }

// set records err unless a cause is already set, and reports whether it did.
func (c *causeCell) set(err error) bool { return c.p.CompareAndSwap(nil, &err) }

// get returns the cause, or nil.
func (c *causeCell) get() error {
	if p := c.p.Load(); p != nil {
		return *p
	}
	return nil
}

// reset clears the cause for a new attempt.
func (c *causeCell) reset() { c.p.Store(nil) }
