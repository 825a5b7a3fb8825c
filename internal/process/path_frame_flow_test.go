package process

import "testing"

// The flow keeps what is written and unanswered within the pipe's room,
// lets a batch alone in flight go whatever its size, and keeps held
// batches in order.
func TestFlowKeepsWrittenWithinTheRoom(t *testing.T) {
	big := batch{first: 1, size: 3 << 20}
	small := batch{first: 2, size: 10}
	tiny := batch{first: 3, size: 1}
	f := flow{room: 1 << 20}
	if !f.fits(big) {
		t.Fatal("a batch alone in flight must go, however large")
	}
	f.wrote(big)
	if f.fits(small) {
		t.Fatal("a batch over the room with another written must wait")
	}
	f.hold(small)
	f.hold(tiny)
	if _, ok := f.next(); ok {
		t.Fatal("a held batch went out before there was room")
	}
	f.answered(big.first)
	if b, ok := f.next(); !ok || b.first != small.first {
		t.Fatalf("next after the answer: %d %v, want the oldest held", b.first, ok)
	}
	f.wrote(small)
	if b, ok := f.next(); !ok || b.first != tiny.first {
		t.Fatalf("next: %d %v, want the second held, which fits beside the first", b.first, ok)
	}
	f.wrote(tiny)
	f.answered(tiny.first) // out of order
	f.answered(small.first)
	if f.used != 0 || len(f.written) != 0 {
		t.Fatalf("all answered, still counted: %d bytes, %d batches", f.used, len(f.written))
	}
	if unlimited := (flow{}); !unlimited.fits(big) {
		t.Fatal("a flow without room (a socket) limits nothing")
	}
}
