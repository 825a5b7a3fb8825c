package process

import (
	"os"
	"slices"
)

// A frame path's flow control. The worker reads a request, runs it and
// writes its answer before it reads the next, so while the host is not
// reading answers the worker can fill the pipe back to the host and block
// writing; and the host blocks writing when the pipe to the worker is
// full. Both at once is a deadlock: three pipelined 2 MiB echoes on 1 MiB
// pipes hung for good, the host blocked sending the third while the worker
// was blocked answering the second. So the host never has more written
// and unanswered than the pipe to the worker holds (Conn.Room): a batch
// that does not fit waits until answers make room, and goes out when recv
// is next called; in order, since a lost batch's progress is read off
// sequence numbers on the assumption that batches run in the order sent
// (see progress.of). A batch alone in flight always goes, however
// large: the worker reads a request whole before it answers it.
type flow struct {
	room    int         // what the pipe to the worker holds; 0: no limit (a socket)
	used    int         // the cost of the batches in written
	written []sentBatch // written and not yet answered, oldest first
	held    []batch     // waiting for room, oldest first
}

type sentBatch struct {
	tag  uint64
	cost int
}

// frameCost is what a batch may take of the pipe: its frame and, because a
// write that does not fit the pipe's last page starts a new page, a page.
func frameCost(b batch) int { return 4 + 8 + b.size + pageSize }

var pageSize = os.Getpagesize()

// fits reports whether b may be written now.
func (f *flow) fits(b batch) bool {
	return f.room == 0 || len(f.written) == 0 || f.used+frameCost(b) <= f.room
}

// hold keeps b until it fits, behind those already held. The caller may
// reuse b's task slice once send returns: the held batch has its own.
func (f *flow) hold(b batch) {
	b.tasks = slices.Clone(b.tasks)
	f.held = append(f.held, b)
}

// next takes the oldest held batch if it fits now.
func (f *flow) next() (batch, bool) {
	if len(f.held) == 0 || !f.fits(f.held[0]) {
		return batch{}, false
	}
	b := f.held[0]
	f.held[0] = batch{}
	f.held = f.held[1:]
	return b, true
}

// wrote records that b was written.
func (f *flow) wrote(b batch) {
	if f.room == 0 {
		return
	}
	c := frameCost(b)
	f.written = append(f.written, sentBatch{tag: b.first, cost: c})
	f.used += c
}

// answered records that the batch tagged tag was answered: it has left the
// pipe. Answers come in order, so it is almost always the oldest.
func (f *flow) answered(tag uint64) {
	for i, s := range f.written {
		if s.tag != tag {
			continue
		}
		f.used -= s.cost
		if i == 0 {
			f.written = f.written[1:] // no copy on the usual path
		} else {
			f.written = slices.Delete(f.written, i, i+1)
		}
		return
	}
}
