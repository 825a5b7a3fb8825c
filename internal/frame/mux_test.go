package frame_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/procpool/supervisor/internal/frame"
)

func TestRoundTrip(t *testing.T) {
	for _, spin := range []string{"0", "100us"} {
		t.Run("spin="+spin, func(t *testing.T) {
			var opts []frame.Option
			if spin == "0" {
				opts = append(opts, frame.WithSpin(0))
			}
			m := frame.NewMux(startHelper(t, "echo", []string{spinEnv + "=" + spin}, opts...))
			for i, n := range []int{0, 1, 7, 100, 4096, 65535, 65536, 1 << 20} {
				req := payload(n, byte(i))
				resp, err := m.Call(uint64(i), req)
				if err != nil {
					t.Fatalf("Call(%d bytes): %v", n, err)
				}
				if !bytes.Equal(resp, req) {
					t.Fatalf("Call(%d bytes): got %d bytes back, or contents differ", n, len(resp))
				}
			}
		})
	}
}

// Many goroutines call at once against a server that answers each burst in
// reverse order: every caller must get its own response, exactly once.
func TestConcurrentCalls(t *testing.T) {
	for _, mode := range []string{"echo", "reverse"} {
		t.Run(mode, func(t *testing.T) {
			m := frame.NewMux(startHelper(t, mode, nil))
			const callers, calls = 16, 300
			var wg sync.WaitGroup
			for g := range callers {
				wg.Go(func() {
					for i := range calls {
						tag := uint64(g)<<32 | uint64(i)
						req := fmt.Appendf(nil, "caller %d call %d %s", g, i, bytes.Repeat([]byte{'x'}, i%97))
						resp, err := m.Call(tag, req)
						if err != nil {
							t.Errorf("caller %d call %d: %v", g, i, err)
							return
						}
						if !bytes.Equal(resp, req) {
							t.Errorf("caller %d call %d: got %q", g, i, resp)
							return
						}
					}
				})
			}
			wg.Wait()
			// A stray or duplicate response would have no taker and fail
			// the Mux with ErrUnexpectedTag; one more call shows none came.
			if _, err := m.Call(1<<63, []byte("last")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCallDuplicateTag(t *testing.T) {
	a, b := pair(t, nil, nil)
	m := frame.NewMux(a)
	got := make(chan error, 1)
	go func() {
		_, err := m.Call(7, []byte("first"))
		got <- err
	}()
	// Answer only once the first Call's request is on the wire, so it is
	// registered when the second Call tries the same tag.
	p, err := b.ReadFrame()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Call(7, []byte("second")); !errors.Is(err, frame.ErrTagInUse) {
		t.Fatalf("second Call with tag 7 = %v, want ErrTagInUse", err)
	}
	if err := b.WriteFrame(p); err != nil {
		t.Fatal(err)
	}
	if err := waitErr(t, got, "first Call"); err != nil {
		t.Fatal(err)
	}
}

// One goroutine keeps 64 requests in flight with Send and Recv.
func TestPipelined(t *testing.T) {
	m := frame.NewMux(startHelper(t, "echo", nil))
	const inFlight, total = 64, 20000
	seen := make([]bool, total)
	body := func(tag uint64) []byte { return binary.LittleEndian.AppendUint64([]byte("req"), tag*3) }
	sent := 0
	for ; sent < inFlight; sent++ {
		if err := m.Send(uint64(sent), body(uint64(sent))); err != nil {
			t.Fatal(err)
		}
	}
	for range total {
		tag, resp, err := m.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if tag >= total || seen[tag] {
			t.Fatalf("response tag %d unexpected or repeated", tag)
		}
		seen[tag] = true
		if !bytes.Equal(resp, body(tag)) {
			t.Fatalf("tag %d: got %q", tag, resp)
		}
		if sent < total {
			if err := m.Send(uint64(sent), body(uint64(sent))); err != nil {
				t.Fatal(err)
			}
			sent++
		}
	}
}

// CallV and SendV send a request in parts as one request: small parts
// copied, large ones written from where they are, in order.
func TestCallVSendsPartsInOrder(t *testing.T) {
	m := frame.NewMux(startHelper(t, "echo", nil))
	small, large := payload(100, 1), payload(1<<20, 2)
	for i, parts := range [][][]byte{
		{small},
		{small, large, small},
		{large, nil, large},
		{nil, small, nil},
	} {
		resp, err := m.CallV(uint64(i), parts...)
		if err != nil {
			t.Fatal(err)
		}
		if want := bytes.Join(parts, nil); !bytes.Equal(resp, want) {
			t.Errorf("parts %d: %d bytes back, want %d", i, len(resp), len(want))
		}
		if err := m.SendV(uint64(i), parts...); err != nil {
			t.Fatal(err)
		}
		if _, resp, err := m.Recv(); err != nil || !bytes.Equal(resp, bytes.Join(parts, nil)) {
			t.Errorf("SendV %d: %d bytes back, %v", i, len(resp), err)
		}
	}
}

// RecvOwned's bodies stay valid after later Recvs, small ones and large ones
// (which are handed over from the read side's own buffer).
func TestRecvOwnedKeepsBodies(t *testing.T) {
	m := frame.NewMux(startHelper(t, "echo", nil))
	sizes := []int{10, 3 << 20, 100, 5 << 20, 0, 1 << 20}
	for i, n := range sizes {
		if err := m.Send(uint64(i), payload(n, byte(i))); err != nil {
			t.Fatal(err)
		}
	}
	got := map[uint64][]byte{}
	for i := range sizes {
		recv := m.RecvOwned
		if i%2 == 1 {
			recv = m.Recv // interleaved: a lent body must not alias an owned one
		}
		tag, resp, err := recv()
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			resp = bytes.Clone(resp)
		}
		got[tag] = resp
	}
	for i, n := range sizes {
		if !bytes.Equal(got[uint64(i)], payload(n, byte(i))) {
			t.Errorf("tag %d: %d bytes back, or contents differ", i, len(got[uint64(i)]))
		}
	}
}

// Sends drained by Recv on one goroutine while others Call on the same Mux.
func TestPipelinedWithCalls(t *testing.T) {
	m := frame.NewMux(startHelper(t, "reverse", nil))
	const sends, callers, calls = 2000, 4, 200
	var wg sync.WaitGroup
	for g := range callers {
		wg.Go(func() {
			for i := range calls {
				tag := 1<<40 | uint64(g)<<20 | uint64(i)
				req := fmt.Appendf(nil, "call %d", tag)
				resp, err := m.Call(tag, req)
				if err != nil || !bytes.Equal(resp, req) {
					t.Errorf("Call %d = %q, %v", tag, resp, err)
					return
				}
			}
		})
	}
	seen := make([]bool, sends)
	for i := range sends {
		if err := m.Send(uint64(i), fmt.Appendf(nil, "send %d", i)); err != nil {
			t.Fatal(err)
		}
		if i%8 != 7 {
			continue
		}
		for range 8 {
			tag, resp, err := m.Recv()
			if err != nil {
				t.Fatal(err)
			}
			if tag >= sends || seen[tag] || string(resp) != fmt.Sprintf("send %d", tag) {
				t.Fatalf("Recv = %d, %q: unexpected, repeated or wrong", tag, resp)
			}
			seen[tag] = true
		}
	}
	wg.Wait()
}

func TestLargeCall(t *testing.T) {
	m := frame.NewMux(startHelper(t, "echo", nil))
	req := payload(64<<20, 9)
	resp, err := m.Call(1, req)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp, req) {
		t.Fatalf("got %d bytes back, want %d, or contents differ", len(resp), len(req))
	}
}

// A request over the caller's limit is refused before anything is written,
// and the Mux goes on working.
func TestCallTooLarge(t *testing.T) {
	m := frame.NewMux(startHelper(t, "echo", nil, frame.WithMaxFrame(1024)))
	_, err := m.Call(1, make([]byte, 1024))
	var tl *frame.FrameTooLargeError
	if !errors.As(err, &tl) || tl.Size != 1024+8 || tl.Limit != 1024 {
		t.Fatalf("Call = %v, want *FrameTooLargeError{1032, 1024} (the tag counts)", err)
	}
	if resp, err := m.Call(1, []byte("fits")); err != nil || string(resp) != "fits" {
		t.Fatalf("Call after the refused one = %q, %v", resp, err)
	}
}

// A response over the limit cannot be matched to its caller unread, so it
// fails the Mux: every pending and later Call gets the error.
func TestResponseTooLargeFailsMux(t *testing.T) {
	a, b := pair(t, []frame.Option{frame.WithMaxFrame(1024)}, nil)
	m := frame.NewMux(a)
	got := make(chan error, 1)
	go func() {
		_, err := m.Call(1, []byte("give me too much"))
		got <- err
	}()
	p, err := b.ReadFrame()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.WriteFrame(append(p[:8:8], make([]byte, 4096)...)); err != nil {
		t.Fatal(err)
	}
	var tl *frame.FrameTooLargeError
	if err := waitErr(t, got, "Call"); !errors.As(err, &tl) {
		t.Fatalf("Call = %v, want *FrameTooLargeError", err)
	}
	if _, err := m.Call(2, nil); !errors.As(err, &tl) {
		t.Fatalf("later Call = %v, want the same *FrameTooLargeError", err)
	}
}

// The worker reads every request, then exits without answering: each
// pending Call fails with io.EOF, and so does any later one.
func TestPeerCloseFailsPendingCalls(t *testing.T) {
	const callers = 8
	m := frame.NewMux(startHelper(t, "swallow", []string{fmt.Sprintf("%s=%d", countEnv, callers)}))
	errc := make(chan error, callers)
	for g := range callers {
		go func() {
			_, err := m.Call(uint64(g), []byte("never answered"))
			errc <- err
		}()
	}
	for range callers {
		if err := waitErr(t, errc, "pending Call"); err != io.EOF {
			t.Fatalf("pending Call = %v, want io.EOF", err)
		}
	}
	if _, err := m.Call(99, nil); err != io.EOF {
		t.Fatalf("Call after the peer closed = %v, want io.EOF", err)
	}
	if _, _, err := m.Recv(); err != io.EOF {
		t.Fatalf("Recv after the peer closed = %v, want io.EOF", err)
	}
}

// Closing the Conn fails Calls blocked waiting for responses.
func TestCloseFailsPendingCalls(t *testing.T) {
	a, _ := pair(t, nil, nil) // the peer never answers
	m := frame.NewMux(a)
	const callers = 4
	errc := make(chan error, callers)
	for g := range callers {
		go func() {
			_, err := m.Call(uint64(g), []byte("hello?"))
			errc <- err
		}()
	}
	a.Close()
	for range callers {
		if err := waitErr(t, errc, "pending Call"); err != frame.ErrClosed {
			t.Fatalf("Call = %v, want ErrClosed", err)
		}
	}
}

func TestUnexpectedTagFailsMux(t *testing.T) {
	a, b := pair(t, nil, nil)
	m := frame.NewMux(a)
	got := make(chan error, 1)
	go func() {
		_, err := m.Call(1, nil)
		got <- err
	}()
	if _, err := b.ReadFrame(); err != nil {
		t.Fatal(err)
	}
	b.WriteFrame(binary.LittleEndian.AppendUint64(nil, 2)) // nobody's tag
	if err := waitErr(t, got, "Call"); !errors.Is(err, frame.ErrUnexpectedTag) {
		t.Fatalf("Call = %v, want ErrUnexpectedTag", err)
	}
}

func TestServeCoalescedAndEmptyReplies(t *testing.T) {
	a, b := pair(t, nil, nil)
	done := make(chan error, 1)
	go func() {
		done <- frame.Serve(b, func(req []byte, w *frame.ReplyWriter) {
			if len(req) == 0 {
				return // unanswered: Serve sends an empty response
			}
			w.Reply(req)
			if err := w.Reply(req); err != frame.ErrReplied {
				t.Errorf("second Reply = %v, want ErrReplied", err)
			}
		})
	}()
	m := frame.NewMux(a)
	for i := range 10 {
		if err := m.Send(uint64(i), bytes.Repeat([]byte{'a'}, i)); err != nil {
			t.Fatal(err)
		}
	}
	for range 10 {
		tag, resp, err := m.Recv()
		if err != nil || len(resp) != int(tag) {
			t.Fatalf("Recv = %d, %q, %v", tag, resp, err)
		}
	}
	a.Close()
	if err := waitErr(t, done, "Serve"); err != nil {
		t.Fatalf("Serve after the peer closed = %v, want nil", err)
	}
}

// Large requests and responses in flight both ways at once: writers block
// on full sockets while the leader must keep reading.
func TestConcurrentLargeCalls(t *testing.T) {
	m := frame.NewMux(startHelper(t, "echo", nil))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 3 {
				req := payload(4<<20+g, byte(g*3+i))
				resp, err := m.Call(uint64(g)<<8|uint64(i), req)
				if err != nil || !bytes.Equal(resp, req) {
					t.Errorf("caller %d call %d: %d bytes back, %v", g, i, len(resp), err)
					return
				}
			}
		})
	}
	wg.Wait()
}
