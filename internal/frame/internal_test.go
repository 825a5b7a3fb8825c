package frame

import (
	"encoding/binary"
	"testing"
	"time"
)

func TestSpinnerAdapts(t *testing.T) {
	us := time.Microsecond
	s := newSpinner(100 * us)
	if s.budget != spinStart {
		t.Fatalf("first budget %v, want %v", s.budget, spinStart)
	}
	s.caught(1 * us) // early in the window: keep it
	if s.budget != spinStart {
		t.Fatalf("after an early catch: %v, want %v", s.budget, spinStart)
	}
	s.caught(20 * us) // late in the window: widen
	if s.budget != 2*spinStart {
		t.Fatalf("after a late catch: %v, want %v", s.budget, 2*spinStart)
	}
	s.missed(80 * us) // within the cap: a longer spin would have caught it
	if s.budget != 100*us {
		t.Fatalf("after a near miss: %v, want the cap", s.budget)
	}
	for range 20 { // an idle peer: back off to the floor
		s.missed(time.Millisecond)
	}
	if s.budget != spinFloor {
		t.Fatalf("after long waits: %v, want %v", s.budget, spinFloor)
	}
	if off := newSpinner(0); off.limit != 0 || off.budget != 0 {
		t.Fatalf("disabled spinner: %+v", off)
	}
}

// A burst of requests already waiting in the socket is read in one read(2)
// and answered in one write(2).
func TestServeAnswersBurstInOneWrite(t *testing.T) {
	l, r, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	client, err := New(l)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := New(r)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()

	const burst = 64
	for i := range burst {
		if err := client.send(true, uint64(i), []byte("request"), false); err != nil {
			t.Fatal(err)
		}
	}
	if err := client.Flush(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- Serve(server, func(req []byte, w *ReplyWriter) { w.Reply(req) })
	}()
	for i := range burst {
		p, err := client.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if tag := binary.LittleEndian.Uint64(p); tag != uint64(i) {
			t.Fatalf("reply %d has tag %d", i, tag)
		}
	}
	server.wmu.Lock()
	writes := server.writes
	server.wmu.Unlock()
	if writes != 1 {
		t.Fatalf("server answered %d requests in %d writes, want 1", burst, writes)
	}
	client.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve = %v, want nil after the peer closed", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Serve still running 30s after the peer closed")
	}
}

func TestAdvance(t *testing.T) {
	bufs := [][]byte{[]byte("abc"), []byte("de"), []byte("fgh")}
	bufs = advance(bufs, 4)
	if len(bufs) != 2 || string(bufs[0]) != "e" || string(bufs[1]) != "fgh" {
		t.Fatalf("advance by 4: %q", bufs)
	}
	if bufs = advance(bufs, 4); len(bufs) != 0 {
		t.Fatalf("advance to the end: %q", bufs)
	}
}
