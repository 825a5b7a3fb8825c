package frame

import (
	"time"

	"golang.org/x/sys/unix"
)

// Why spin at all: a thread blocked in read(2) is woken by the peer's
// write through the scheduler, and on these virtual machines that wake-up
// alone often costs 20-100 µs (the idle vCPU halts and must be kicked back),
// ten times the few microseconds a no-op round trip to another process
// takes. Polling the socket with non-blocking recv calls for a little while
// keeps the thread running, so a reply that arrives soon is picked up within
// a system call's time instead.
//
// Why polite: each poll is followed by sched_yield, so a spinning reader
// never keeps a thread that could run on its CPU (the peer, above all)
// waiting; and a thread that notices it was descheduled mid-spin (a gap
// between polls) stops spinning at once.
//
// Why adaptive: spinning burns the core it runs on. When replies come late
// (slow tasks, an idle peer) the spin is pure waste, and on an oversubscribed
// machine it steals the CPU the peer needs to produce the reply. So the
// budget follows recent waits: it grows when the data came within the cap
// (had we spun a bit longer we would have caught it), and halves when the
// wait outlasted the cap (the peer is slow; sleep sooner next time).

const (
	// spinStart is the first budget: a few round trips' worth.
	spinStart = 25 * time.Microsecond
	// spinFloor is the smallest budget: enough to catch data that is
	// already on its way, cheap enough to waste on every idle wait.
	spinFloor = 2 * time.Microsecond
	// spinPreempted is a gap between two polls long enough to say the
	// spinning thread lost its CPU.
	spinPreempted = 20 * time.Microsecond
)

// spinner decides how long a reader polls before it blocks. It belongs to
// the one reading goroutine.
type spinner struct {
	limit  time.Duration // cap on the budget; 0 disables spinning
	budget time.Duration // current spin before blocking
}

func newSpinner(limit time.Duration) spinner {
	return spinner{limit: limit, budget: min(limit, spinStart)}
}

// read reads at least one byte into dst from the blocking socket fd: first
// polling for up to the budget, then in a blocking read(2).
func (s *spinner) read(fd int, dst []byte, pipe bool) (int, error) {
	if s.limit <= 0 {
		return readBlocking(fd, dst)
	}
	poll := recvNonblock
	if pipe {
		poll = readNowait
	}
	start := time.Now()
	last := start
	for {
		n, err := poll(fd, dst)
		if err != unix.EAGAIN && err != unix.EINTR {
			s.caught(time.Since(start))
			return n, err
		}
		// Yield between polls: if another thread is waiting for
		// this CPU (the peer itself, when the kernel put both on one
		// CPU, or any other work when CPUs are oversubscribed), it
		// runs now rather than at the end of our time slice. With
		// nothing waiting it returns at once. On a 2-core VM this
		// costs a lone round trip ~0.4 µs at p50 and triples
		// pipelined throughput (see frame_bench_test.go).
		yield()
		now := time.Now()
		if now.Sub(last) > spinPreempted {
			// One poll takes well under a microsecond, so a gap
			// this long means the thread was descheduled: the CPUs
			// are oversubscribed, and spinning on takes the CPU
			// the peer needs to answer. Sleep instead.
			s.budget = min(spinFloor, s.limit)
			break
		}
		if now.Sub(start) >= s.budget {
			break
		}
		last = now
	}
	n, err := readBlocking(fd, dst)
	s.missed(time.Since(start))
	return n, err
}

// caught adapts the budget after the spin found data after waiting d.
func (s *spinner) caught(d time.Duration) {
	if d > s.budget/2 {
		// Data came late in the window: widen it before it is missed.
		s.budget = min(2*s.budget, s.limit)
	}
}

// missed adapts the budget after the spin gave up and the blocking read
// returned after d in all.
func (s *spinner) missed(d time.Duration) {
	if d <= s.limit {
		// The data came soon enough that a longer spin would have
		// caught it without the wake-up cost.
		s.budget = min(2*s.budget, s.limit)
		return
	}
	s.budget = max(s.budget/2, min(spinFloor, s.limit))
}

func readBlocking(fd int, dst []byte) (int, error) {
	for {
		n, err := unix.Read(fd, dst)
		if err != unix.EINTR {
			return n, err
		}
	}
}
