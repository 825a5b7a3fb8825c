package frame

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
)

// A Mux matches responses to requests on one Conn by tag, so that many
// goroutines can have requests in flight at once.
//
// Wire convention: the first 8 bytes of every request and response payload
// are a little-endian tag, and a response carries its request's tag. The Mux
// writes and strips the tag itself: callers pass and get bodies only. Serve
// is the matching server side. Tags are the caller's choice but must be
// unique among the requests in flight on one Mux.
//
// Threading: there are no goroutines inside a Mux. Whoever is waiting reads.
// A lone Call writes its request and reads its response on its own goroutine,
// with no hand-off (a hand-off to another goroutine costs microseconds).
// With several callers waiting, one of them holds the read side (the leader)
// and hands the others their responses as they arrive, until its own comes;
// then it passes the read side to a waiting caller and returns.
//
// A Mux does not own its Conn; close the Conn to make every pending Call
// and Recv return ErrClosed.
type Mux struct {
	c *Conn

	mu        sync.Mutex
	reading   bool               // a goroutine holds the read side
	calls     map[uint64]*waiter // Calls awaiting a response, by tag
	recv      *waiter            // the Recv parked waiting, if any
	recvBusy  bool               // a Recv is running
	recvw     waiter             // Recv's waiter, reused
	recvBuf   []byte             // storage of what Recv last returned
	unclaimed []response         // responses to Sends no Recv has taken yet
	err       error              // sticky: the read side failed
	failed    atomic.Bool        // err is set: lets Send check without the lock

	sends atomic.Int64 // Sends whose responses have not arrived
}

type response struct {
	tag  uint64
	body []byte
}

// A waiter is one Call or Recv waiting for its response or for the read
// side. Its fields are guarded by Mux.mu.
type waiter struct {
	tag    uint64
	any    bool // a Recv: takes any response no Call claims
	own    bool // a RecvOwned: the response is handed over, not lent
	parked bool // blocked on wake, so it can be handed the read side
	lead   bool // has been handed the read side
	done   bool // rtag, resp and err are final
	rtag   uint64
	resp   []byte
	err    error
	wake   chan struct{} // capacity 1: one token per park
}

var waiters = sync.Pool{New: func() any { return &waiter{wake: make(chan struct{}, 1)} }}

// NewMux returns a Mux that exchanges tagged frames on c. It does not block.
// While the Mux is in use, nothing else may read c; writing to it directly
// would put untagged frames on the wire.
func NewMux(c *Conn) *Mux {
	return &Mux{
		c:     c,
		calls: make(map[uint64]*waiter),
		recvw: waiter{wake: make(chan struct{}, 1)},
	}
}

// Call sends req tagged with tag and blocks until the response with that
// tag arrives, returning its body, which the caller owns. It is safe for
// concurrent use.
//
// Errors: ErrTagInUse if a Call with this tag is in flight; any error of
// Conn.WriteFrame if the request could not be written (with
// *FrameTooLargeError nothing was sent and the Mux stays usable); and once
// the read side failed, its error for every pending and later Call: io.EOF
// when the peer closed, ErrClosed after Conn.Close, or a protocol error.
//
// Whether to lock the calling goroutine to its thread is the caller's
// choice: see the package doc.
func (m *Mux) Call(tag uint64, req []byte) ([]byte, error) {
	return m.CallV(tag, req)
}

// CallV is Call with the request in parts, sent one after another as one
// request. Parts of 64 KiB or more are written from where they are, with
// writev, not copied (see Conn's write buffer).
func (m *Mux) CallV(tag uint64, parts ...[]byte) ([]byte, error) {
	w := waiters.Get().(*waiter)
	defer waiters.Put(w)
	*w = waiter{tag: tag, wake: w.wake}
	if err := m.register(w); err != nil {
		return nil, err
	}
	if err := m.c.sendV(true, tag, parts, true); err != nil {
		m.unregister(w)
		return nil, err
	}
	_, resp, err := m.await(w)
	return resp, err
}

// Send queues req tagged with tag for writing and returns without waiting
// for the response, which Recv returns later. Queued requests go out in one
// write on the next Flush, Call or Recv, or once a few hundred KiB are
// queued (a Recv already blocked on another goroutine does not see a later
// Send: Flush after Sends made concurrently with a blocked Recv). Send is the pipelined form: one goroutine can keep many requests
// in flight with Send and Recv. It is safe for concurrent use; errors are
// as for Call.
func (m *Mux) Send(tag uint64, req []byte) error {
	return m.SendV(tag, req)
}

// SendV is Send with the request in parts, as CallV.
func (m *Mux) SendV(tag uint64, parts ...[]byte) error {
	if m.failed.Load() {
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.err
	}
	m.sends.Add(1) // before the write, so the response always finds it
	if err := m.c.sendV(true, tag, parts, false); err != nil {
		m.sends.Add(-1)
		return err
	}
	return nil
}

// Flush writes the requests queued by Send. It blocks until the kernel has
// taken them and is safe for concurrent use.
func (m *Mux) Flush() error { return m.c.Flush() }

// Recv flushes queued Sends and blocks until a response to a Send arrives
// (responses to pending Calls go to their Calls), returning its tag and
// body. The body is valid until the next Recv. Recv must not be called
// concurrently with itself (ErrConcurrentRecv), but may run alongside Calls.
// Errors are those of Call's read side.
func (m *Mux) Recv() (tag uint64, resp []byte, err error) {
	return m.receive(false)
}

// RecvOwned is Recv, except that the body is the caller's to keep, as
// Call's is: a small body is a copy, a large one is handed over without
// copying. It suits a caller that keeps responses beyond the next Recv,
// where copying Recv's body would copy a large payload twice.
func (m *Mux) RecvOwned() (tag uint64, resp []byte, err error) {
	return m.receive(true)
}

// receive takes the lock twice when it reads the response itself, as a
// lone pipelining caller does: once to take the read side, once to deliver
// what it read (it took it four times, a tenth of a pipelined no-op's cost
// on the host).
func (m *Mux) receive(own bool) (tag uint64, resp []byte, err error) {
	m.mu.Lock()
	if m.recvBusy {
		m.mu.Unlock()
		return 0, nil, ErrConcurrentRecv
	}
	m.recvBusy = true
	w := &m.recvw
	*w = waiter{any: true, own: own, wake: w.wake}
	tag, resp, err = m.awaitLocked(w)
	m.recvBusy = false
	m.mu.Unlock()
	return tag, resp, err
}

// lend returns the body of p for a Recv: its own storage for RecvOwned, the
// Mux's reused buffer for Recv. Called by the reading goroutine.
func (m *Mux) lend(w *waiter, p []byte) []byte {
	if w.own {
		return m.c.adopt(p, nil)[tagLen:]
	}
	m.recvBuf = m.c.adopt(p, m.recvBuf)
	return m.recvBuf[tagLen:]
}

// Ready reports whether a response to a Send is at hand: Recv would return
// it without reading the socket. A pipelining caller drains what is ready
// before it sends more, so that a burst of responses is answered with one
// burst of requests, in one write, rather than a write per response.
func (m *Mux) Ready() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.unclaimed) > 0 {
		return true
	}
	// The read side is the reading goroutine's; with m.reading false under
	// m.mu, no goroutine is reading, and none can start meanwhile.
	return !m.reading && m.err == nil && m.c.Buffered()
}

func (m *Mux) register(w *waiter) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	if _, dup := m.calls[w.tag]; dup {
		return fmt.Errorf("%w: %d", ErrTagInUse, w.tag)
	}
	m.calls[w.tag] = w
	return nil
}

// unregister withdraws a Call whose request could not be written.
func (m *Mux) unregister(w *waiter) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !w.done {
		delete(m.calls, w.tag)
	}
}

// await waits until w is answered or holds the read side, and in the latter
// case reads until it is answered.
func (m *Mux) await(w *waiter) (uint64, []byte, error) {
	m.mu.Lock()
	tag, resp, err := m.awaitLocked(w)
	m.mu.Unlock()
	return tag, resp, err
}

// awaitLocked is await with m.mu held on entry and on return.
func (m *Mux) awaitLocked(w *waiter) (uint64, []byte, error) {
	for !w.done {
		if w.any && len(m.unclaimed) > 0 {
			// Checked under the same lock as parking: a response a
			// Call's leader queued must not be missed by a Recv that
			// then waits for another.
			r := m.unclaimed[0]
			m.unclaimed[0] = response{}
			m.unclaimed = m.unclaimed[1:]
			w.done, w.rtag, w.resp = true, r.tag, r.body
			break
		}
		if m.err != nil {
			// The read side failed before w got to wait on it.
			if m.calls[w.tag] == w {
				delete(m.calls, w.tag)
			}
			w.done, w.err = true, m.err
			break
		}
		if w.lead || !m.reading {
			w.lead = false
			m.reading = true
			m.mu.Unlock()
			return m.lead(w)
		}
		w.parked = true
		if w.any {
			m.recv = w
		}
		m.mu.Unlock()
		<-w.wake
		m.mu.Lock()
	}
	return w.rtag, w.resp, w.err
}

// lead reads frames and delivers them until w's own response arrives, then
// passes the read side on. It returns with m.mu held.
func (m *Mux) lead(w *waiter) (uint64, []byte, error) {
	for {
		p, err := m.c.ReadFrame()
		if err == nil && len(p) < tagLen {
			err = ErrShortFrame
		}
		if err != nil {
			m.fail(err)
			m.mu.Lock()
			return 0, nil, err
		}
		tag := binary.LittleEndian.Uint64(p)

		m.mu.Lock()
		mine, err := m.dispatch(w, tag, p)
		if err != nil {
			m.mu.Unlock()
			m.fail(err)
			m.mu.Lock()
			return 0, nil, err
		}
		if !mine {
			m.mu.Unlock()
			continue
		}
		var resp []byte
		if w.any {
			resp = m.lend(w, p)
		} else {
			delete(m.calls, tag)
			resp = m.c.adopt(p, nil)[tagLen:]
		}
		// The copy above must be made before the next leader reads.
		m.passLead()
		return tag, resp, nil
	}
}

// dispatch hands the frame p to whoever waits for it, reporting whether that
// is w itself. It is called with m.mu held, by the leader.
func (m *Mux) dispatch(w *waiter, tag uint64, p []byte) (mine bool, err error) {
	if !w.any && tag == w.tag {
		return true, nil
	}
	if c := m.calls[tag]; c != nil {
		delete(m.calls, tag)
		c.rtag, c.resp, c.done = tag, m.c.adopt(p, nil)[tagLen:], true
		m.wake(c)
		return false, nil
	}
	if m.sends.Load() == 0 {
		return false, fmt.Errorf("%w: %d", ErrUnexpectedTag, tag)
	}
	m.sends.Add(-1)
	if w.any {
		return true, nil
	}
	if r := m.recv; r != nil {
		r.rtag, r.resp, r.done = tag, m.lend(r, p), true
		m.wake(r)
		return false, nil
	}
	m.unclaimed = append(m.unclaimed, response{tag, m.c.adopt(p, nil)[tagLen:]})
	return false, nil
}

// passLead hands the read side to a parked waiter, or gives it up. Only a
// parked waiter may get it: one still writing its request might be blocked
// on a full socket, and a reader blocked behind a writer can deadlock with a
// peer that is itself blocked writing responses. Called with m.mu held.
func (m *Mux) passLead() {
	for _, c := range m.calls {
		if c.parked {
			c.lead = true
			m.wake(c)
			return
		}
	}
	if r := m.recv; r != nil {
		r.lead = true
		m.wake(r)
		return
	}
	m.reading = false
}

// wake unparks w. Waiters not parked see their new state when they next
// look, under m.mu. Called with m.mu held.
func (m *Mux) wake(w *waiter) {
	if !w.parked {
		return
	}
	w.parked = false
	if m.recv == w {
		m.recv = nil
	}
	w.wake <- struct{}{}
}

// fail makes err the Mux's sticky error and answers every waiter with it.
func (m *Mux) fail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err == nil {
		m.err = err
		m.failed.Store(true)
	}
	for tag, c := range m.calls {
		delete(m.calls, tag)
		c.done, c.err = true, m.err
		m.wake(c)
	}
	if r := m.recv; r != nil {
		r.done, r.err = true, m.err
		m.wake(r)
	}
	m.reading = false
}
