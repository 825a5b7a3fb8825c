package process

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/procpool/supervisor/internal/workerpb"
	"github.com/procpool/supervisor/worker"
)

// The frame data path's encoding of a batch of requests and of their
// outcomes: the same content as the Worker service's DoRequest and
// DoResponse, without protobuf. Little-endian throughout; a string or byte
// field is a 4-byte length, then the bytes (2 bytes for a task name).
//
//	requests: count u32, then per task:  seq u64, deadline_unix_nano i64, name, input
//	outcomes: count u32, then per task:  seq u64, exec_ns i64, kind u8, output, error, stack
//
// Decoding does not copy: byte fields alias the buffer, which the caller
// must keep for as long as they are used.

var errCorrupt = errors.New("frame path: corrupt message")

var le = binary.LittleEndian

func appendRequests(b []byte, reqs []request) []byte {
	b = le.AppendUint32(b, uint32(len(reqs)))
	for _, r := range reqs {
		b = le.AppendUint64(b, r.seq)
		var d int64
		if !r.deadline.IsZero() {
			d = r.deadline.UnixNano()
		}
		b = le.AppendUint64(b, uint64(d))
		b = le.AppendUint16(b, uint16(len(r.task.Name)))
		b = append(b, r.task.Name...)
		b = appendBytes(b, r.task.Input)
	}
	return b
}

func decodeRequests(b []byte, into []request) ([]request, error) {
	d := decoder{b: b}
	n := int(d.u32())
	for i := 0; i < n && d.err == nil; i++ {
		r := request{seq: d.u64()}
		if dl := int64(d.u64()); dl != 0 {
			r.deadline = time.Unix(0, dl)
		}
		r.task = worker.Task{Name: string(d.take(int(d.u16()))), Input: d.bytes()}
		into = append(into, r)
	}
	return into, d.end()
}

func appendOutcome(b []byte, o *outcome) []byte {
	b = le.AppendUint64(b, o.seq)
	b = le.AppendUint64(b, uint64(o.exec))
	b = append(b, byte(o.kind))
	b = appendBytes(b, o.output)
	b = appendBytes(b, []byte(o.msg))
	return appendBytes(b, []byte(o.stack))
}

func decodeOutcomes(b []byte, want int) ([]outcome, error) {
	d := decoder{b: b}
	n := int(d.u32())
	if n != want {
		return nil, errCorrupt
	}
	outs := make([]outcome, n)
	for i := range outs {
		o := &outs[i]
		o.seq = d.u64()
		o.exec = time.Duration(d.u64())
		o.kind = workerpb.ErrorKind(d.u8())
		o.output = d.bytes()
		o.msg = string(d.bytes())
		o.stack = string(d.bytes())
	}
	return outs, d.end()
}

func appendBytes(b, p []byte) []byte {
	b = le.AppendUint32(b, uint32(len(p)))
	return append(b, p...)
}

// A decoder reads fields off a buffer; the first short read sets err and
// every later read returns zero values.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) take(n int) []byte {
	if d.err != nil || n > len(d.b) {
		d.err = errCorrupt
		return nil
	}
	p := d.b[:n:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) u8() uint8 {
	if p := d.take(1); p != nil {
		return p[0]
	}
	return 0
}

func (d *decoder) u16() uint16 {
	if p := d.take(2); p != nil {
		return le.Uint16(p)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if p := d.take(4); p != nil {
		return le.Uint32(p)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if p := d.take(8); p != nil {
		return le.Uint64(p)
	}
	return 0
}

func (d *decoder) bytes() []byte { return d.take(int(d.u32())) }

// end reports a short buffer or bytes left over.
func (d *decoder) end() error {
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorrupt
	}
	return d.err
}
