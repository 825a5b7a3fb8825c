package frame_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procpool/supervisor/internal/frame"
)

// pair returns two connected Conns in this process.
func pair(t *testing.T, aOpts, bOpts []frame.Option) (a, b *frame.Conn) {
	t.Helper()
	l, r, err := frame.Pair()
	if err != nil {
		t.Fatal(err)
	}
	a, err = frame.New(l, aOpts...)
	if err != nil {
		t.Fatal(err)
	}
	b, err = frame.New(r, bOpts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

func payload(n int, seed byte) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = seed + byte(i*7)
	}
	return p
}

func TestConnFrames(t *testing.T) {
	for _, spin := range []time.Duration{0, frame.DefaultSpin} {
		t.Run("spin="+spin.String(), func(t *testing.T) {
			a, b := pair(t, []frame.Option{frame.WithSpin(spin)}, []frame.Option{frame.WithSpin(spin)})
			sizes := []int{0, 1, 7, 4096, frame.DefaultReadBuffer - 4, frame.DefaultReadBuffer, 1 << 20}
			errc := make(chan error, 1)
			go func() {
				for i, n := range sizes {
					if err := a.WriteFrame(payload(n, byte(i))); err != nil {
						errc <- err
						return
					}
				}
				errc <- nil
			}()
			for i, n := range sizes {
				p, err := b.ReadFrame()
				if err != nil {
					t.Fatalf("frame %d: %v", i, err)
				}
				if !bytes.Equal(p, payload(n, byte(i))) {
					t.Fatalf("frame %d: got %d bytes, want %d, or contents differ", i, len(p), n)
				}
			}
			if err := waitErr(t, errc, "writer"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestConnBufferCoalesces(t *testing.T) {
	a, b := pair(t, nil, nil)
	const n = 200
	for i := range n {
		if err := a.Buffer(payload(i%50, byte(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		p, err := b.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p, payload(i%50, byte(i))) {
			t.Fatalf("frame %d differs", i)
		}
		if i < n-1 && !b.Buffered() {
			t.Fatalf("after frame %d: Buffered = false with all %d frames sent in one write", i, n)
		}
	}
}

// A frame far larger than the read buffer and than the socket buffers.
func TestConnLargeFrame(t *testing.T) {
	a, b := pair(t, nil, nil)
	want := payload(64<<20+3, 1)
	errc := make(chan error, 1)
	go func() { errc <- a.WriteFrame(want) }()
	for range 2 { // twice, to go through the reused big buffer
		p, err := b.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p, want) {
			t.Fatalf("got %d bytes, want %d, or contents differ", len(p), len(want))
		}
		if err := waitErr(t, errc, "writer"); err != nil {
			t.Fatal(err)
		}
		go func() { errc <- a.WriteFrame(want) }()
	}
}

func TestFrameTooLargeOnWrite(t *testing.T) {
	a, b := pair(t, []frame.Option{frame.WithMaxFrame(1024)}, nil)
	err := a.WriteFrame(make([]byte, 1025))
	var tl *frame.FrameTooLargeError
	if !errors.As(err, &tl) || tl.Size != 1025 || tl.Limit != 1024 {
		t.Fatalf("WriteFrame(1025 bytes) = %v, want *FrameTooLargeError{1025, 1024}", err)
	}
	if err := a.Buffer(make([]byte, 2000)); !errors.As(err, &tl) {
		t.Fatalf("Buffer(2000 bytes) = %v, want *FrameTooLargeError", err)
	}
	// Nothing was written: the Conn stays usable.
	if err := a.WriteFrame([]byte("ok")); err != nil {
		t.Fatal(err)
	}
	if p, err := b.ReadFrame(); err != nil || string(p) != "ok" {
		t.Fatalf("ReadFrame = %q, %v; want ok", p, err)
	}
}

func TestFrameTooLargeOnRead(t *testing.T) {
	a, b := pair(t, nil, []frame.Option{frame.WithMaxFrame(1024)})
	errc := make(chan error, 1)
	go func() {
		for _, n := range []int{5000, 10, 300 << 10, 20} {
			if err := a.WriteFrame(payload(n, byte(n))); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	for _, n := range []int{5000, 10, 300 << 10, 20} {
		p, err := b.ReadFrame()
		if n > 1024 {
			var tl *frame.FrameTooLargeError
			if !errors.As(err, &tl) || tl.Size != n || tl.Limit != 1024 {
				t.Fatalf("ReadFrame of %d bytes = %v, want *FrameTooLargeError{%d, 1024}", n, err, n)
			}
			continue
		}
		// The oversized frame was skipped: the stream is still in step.
		if err != nil || !bytes.Equal(p, payload(n, byte(n))) {
			t.Fatalf("ReadFrame after an oversized frame = %d bytes, %v; want the %d-byte frame", len(p), err, n)
		}
	}
	if err := waitErr(t, errc, "writer"); err != nil {
		t.Fatal(err)
	}
}

func TestPeerCloseIsEOF(t *testing.T) {
	a, b := pair(t, nil, nil)
	if err := a.WriteFrame([]byte("last")); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if p, err := b.ReadFrame(); err != nil || string(p) != "last" {
		t.Fatalf("ReadFrame = %q, %v; want the frame sent before close", p, err)
	}
	for range 2 {
		if _, err := b.ReadFrame(); err != io.EOF {
			t.Fatalf("ReadFrame after peer close = %v, want io.EOF", err)
		}
	}
	if err := b.WriteFrame([]byte("x")); !errors.Is(err, io.EOF) {
		t.Fatalf("WriteFrame after peer close = %v, want an error matching io.EOF", err)
	}
}

func TestPeerCloseMidFrame(t *testing.T) {
	l, r, err := frame.Pair()
	if err != nil {
		t.Fatal(err)
	}
	b, err := frame.New(r)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	l.Write([]byte{100, 0, 0, 0, 1, 2, 3}) // a header for 100 bytes, then 3
	l.Close()
	if _, err := b.ReadFrame(); err != io.ErrUnexpectedEOF {
		t.Fatalf("ReadFrame = %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestCloseWakesBlockedReader(t *testing.T) {
	for _, spin := range []time.Duration{0, frame.DefaultSpin} {
		t.Run("spin="+spin.String(), func(t *testing.T) {
			a, _ := pair(t, []frame.Option{frame.WithSpin(spin)}, nil)
			started := make(chan struct{})
			done := make(chan error, 1)
			go func() {
				close(started)
				_, err := a.ReadFrame() // nothing will ever arrive
				done <- err
			}()
			<-started
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			if err := waitErr(t, done, "ReadFrame after Close"); err != frame.ErrClosed {
				t.Fatalf("ReadFrame = %v, want ErrClosed", err)
			}
		})
	}
}

func TestCloseWakesBlockedWriter(t *testing.T) {
	a, _ := pair(t, nil, nil)
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		close(started)
		done <- a.WriteFrame(make([]byte, 64<<20)) // nobody reads: blocks
	}()
	<-started
	a.Close()
	if err := waitErr(t, done, "WriteFrame after Close"); err != frame.ErrClosed {
		t.Fatalf("WriteFrame = %v, want ErrClosed", err)
	}
}

func TestCloseIdempotent(t *testing.T) {
	a, _ := pair(t, nil, nil)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := a.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.WriteFrame([]byte("x")); err != frame.ErrClosed {
		t.Fatalf("WriteFrame after Close = %v, want ErrClosed", err)
	}
	if err := a.Buffer([]byte("x")); err != frame.ErrClosed {
		t.Fatalf("Buffer after Close = %v, want ErrClosed", err)
	}
	if _, err := a.ReadFrame(); err != frame.ErrClosed {
		t.Fatalf("ReadFrame after Close = %v, want ErrClosed", err)
	}
}

// A frame limit the 4-byte length prefix cannot hold is refused, not
// silently capped: a payload limit over 4 GiB overflowed the frame length.
func TestNewRefusesALimitOverTheLengthPrefix(t *testing.T) {
	local, remote, err := frame.Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	defer remote.Close()
	if _, err := frame.New(local, frame.WithMaxFrame(frame.MaxFrameLimit+1)); err == nil ||
		!strings.Contains(err.Error(), "length prefix") {
		t.Fatalf("New with a limit over 4 GiB: %v, want an error naming the length prefix", err)
	}
	c, err := frame.New(local, frame.WithMaxFrame(frame.MaxFrameLimit))
	if err != nil {
		t.Fatalf("New at the limit: %v", err)
	}
	c.Close()
}
