package process

// pendingRing is the batches in flight, oldest first, in a ring: answers
// come in order on the frame and stream paths, so the one answered is
// almost always the oldest, taken in O(1) without moving the others or
// allocating (a map of batches cost two map operations per batch).
type pendingRing struct {
	buf  []pending
	head int
	n    int
}

func (r *pendingRing) len() int { return r.n }

// at returns a pointer to the i-th oldest batch.
func (r *pendingRing) at(i int) *pending { return &r.buf[(r.head+i)%len(r.buf)] }

func (r *pendingRing) push(p pending) {
	if r.n == len(r.buf) {
		buf := make([]pending, max(16, 2*len(r.buf)))
		for i := range r.n {
			buf[i] = *r.at(i)
		}
		r.buf, r.head = buf, 0
	}
	r.buf[(r.head+r.n)%len(r.buf)] = p
	r.n++
}

// remove takes out the i-th oldest batch and returns it.
func (r *pendingRing) remove(i int) pending {
	p := *r.at(i)
	for k := i; k > 0; k-- { // close the gap from the front: i is almost always 0
		*r.at(k) = *r.at(k - 1)
	}
	*r.at(0) = pending{}
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	return p
}
