package supervisor

// A deque is a pool's queue of jobs: a ring buffer, oldest first, with
// retries pushed at the front. A cancelled job stays in it, marked done,
// until it reaches the front and is dropped (see pool.pop): removing it
// from the middle would cost a search, and a cancelled job costs a pointer.
type deque struct {
	buf        []*job
	head, size int
}

func (d *deque) len() int { return d.size }

func (d *deque) grow() {
	if d.size < len(d.buf) {
		return
	}
	n := max(16, 2*len(d.buf))
	buf := make([]*job, n)
	for i := range d.size {
		buf[i] = d.buf[(d.head+i)%len(d.buf)]
	}
	d.buf, d.head = buf, 0
}

func (d *deque) pushBack(j *job) {
	d.grow()
	d.buf[(d.head+d.size)%len(d.buf)] = j
	d.size++
}

func (d *deque) pushFront(j *job) {
	d.grow()
	d.head = (d.head - 1 + len(d.buf)) % len(d.buf)
	d.buf[d.head] = j
	d.size++
}

// popFront removes and returns the oldest job, or nil.
func (d *deque) popFront() *job {
	if d.size == 0 {
		return nil
	}
	j := d.buf[d.head]
	d.buf[d.head] = nil
	d.head = (d.head + 1) % len(d.buf)
	d.size--
	return j
}

// drain removes and returns every job, oldest first.
func (d *deque) drain() []*job {
	out := make([]*job, 0, d.size)
	for j := d.popFront(); j != nil; j = d.popFront() {
		out = append(out, j)
	}
	return out
}
