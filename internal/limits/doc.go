// Package limits checks, before any worker starts, that a pool of the
// requested size fits the threads and processes this process and its user
// may have, so that a pool too big fails with one line naming the limit
// instead of a Go runtime fatal error ("newosproc", "thread exhaustion")
// halfway through starting (issue #9).
//
// Two limits apply. RLIMIT_NPROC (ulimit -u) bounds every thread of the
// user, the workers' included, across all of the user's processes; root is
// exempt. Go's own limit (debug.SetMaxThreads, 10000 by default) bounds
// the threads of this process, where the supervisor keeps threads per
// worker process and a goroutine worker blocked in a system call holds one.
package limits
