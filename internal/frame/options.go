package frame

import (
	"fmt"
	"math"
	"time"
)

const (
	// DefaultMaxFrame is the largest payload a Conn reads or writes unless
	// WithMaxFrame says otherwise. It bounds what a corrupt or hostile length
	// prefix can make the reader allocate, while leaving room for 64 MiB+
	// payloads.
	DefaultMaxFrame = 256 << 20

	// DefaultSpin caps the adaptive spin before a blocking read (see
	// WithSpin). It is long enough to cover a no-op round trip through
	// another process several times over, short enough that an idle peer
	// costs little CPU before the reader gives up and sleeps.
	DefaultSpin = 100 * time.Microsecond

	// DefaultReadBuffer is the size of a Conn's read buffer: one read(2)
	// can bring in this many bytes of small frames. Frames that do not fit
	// are read straight into a buffer of their own size.
	DefaultReadBuffer = 64 << 10
)

// maxWireFrame is what the 4-byte length prefix can express.
const maxWireFrame = math.MaxUint32

// An Option configures a Conn in New.
type Option func(*options)

type options struct {
	maxFrame int
	err      error // an option New must refuse
	spin     time.Duration
	readBuf  int
}

func defaultOptions() options {
	return options{maxFrame: DefaultMaxFrame, spin: DefaultSpin, readBuf: DefaultReadBuffer}
}

// MaxFrameLimit is the largest payload a frame can carry: what its 4-byte
// length prefix holds, 4 GiB - 1.
const MaxFrameLimit = maxWireFrame

// WithMaxFrame sets the largest payload, in bytes, the Conn will write or
// accept (see FrameTooLargeError). n <= 0 means the prefix's own limit,
// MaxFrameLimit. New refuses an n over MaxFrameLimit: such a frame's
// length would overflow the prefix.
func WithMaxFrame(n int) Option {
	return func(o *options) {
		switch {
		case n <= 0:
			n = maxWireFrame
		case uint64(n) > maxWireFrame:
			o.err = fmt.Errorf("frame: a frame limit of %d bytes is over what the 4-byte length prefix holds (%d)", n, uint64(maxWireFrame))
			return
		}
		o.maxFrame = n
	}
}

// WithSpin caps the adaptive spin a reader does before it blocks in read(2);
// d <= 0 turns spinning off, so every wait is a plain blocking read.
//
// Spinning trades CPU for latency: while it spins the reader's thread polls
// the socket with non-blocking recv calls and burns a core. Turn it off
// where cores are scarce relative to spinning readers (see the package doc).
func WithSpin(d time.Duration) Option {
	return func(o *options) { o.spin = max(d, 0) }
}

// WithReadBuffer sets the read buffer's size in bytes (minimum 4 KiB).
// Frames up to about this size are read in bulk, many per read(2); larger
// ones get a buffer of their own.
func WithReadBuffer(n int) Option {
	return func(o *options) { o.readBuf = max(n, 4<<10) }
}
