package process

import (
	"encoding/binary"
	"errors"
	"slices"
	"time"

	"github.com/procpool/supervisor/internal/workerpb"
	"github.com/procpool/supervisor/worker"
)

// The frame data path's encoding of a batch of requests and of their
// outcomes: the content of the Worker service's DoRequest and DoResponse,
// without protobuf. Little-endian throughout; a byte field is a 4-byte
// length, then the bytes (a task name has a 2-byte length).
//
//	requests: count u32, first_seq u64, deadline_unix_nano i64,
//	          then per task: name, input
//	outcomes: count u32, then per task, in order:
//	          exec_ns i64, kind u8, output, and unless kind is NONE: error, stack,
//	          sentinel count u16, sentinels, value count u16, (type, json) per value
//
// A batch's tasks are numbered first_seq, first_seq+1, ... and share one
// deadline (0 for none), so neither travels per task; outcomes come back in
// order, so they carry no number either. A no-op task costs 8 bytes on the
// way out (with a 2-byte name) and 14 back.
//
// Decoding does not copy: byte fields alias the buffer, which the caller
// must keep for as long as they are used.

var errCorrupt = errors.New("frame path: corrupt message")

var le = binary.LittleEndian

// batchHeader is the size of a request's fields before its tasks.
const batchHeader = 4 + 8 + 8

func appendBatch(b []byte, bt batch) []byte {
	var d int64
	if !bt.deadline.IsZero() {
		d = bt.deadline.UnixNano()
	}
	b = le.AppendUint32(b, uint32(len(bt.tasks)))
	b = le.AppendUint64(b, bt.first)
	b = le.AppendUint64(b, uint64(d))
	for _, t := range bt.tasks {
		b = le.AppendUint16(b, uint16(len(t.Name)))
		b = append(b, t.Name...)
		b = appendBytes(b, t.Input)
	}
	return b
}

// taskSize is a task's encoded size in a batch.
func taskSize(t worker.Task) int { return 2 + len(t.Name) + 4 + len(t.Input) }

// A batchReader reads a request: its header, then its tasks one at a time.
type batchReader struct {
	n        int
	first    uint64
	deadline time.Time
	d        decoder
	name     string // the last task's name, reused while the bytes match
}

// readBatch reads b's header. The tasks are read as they run: a corrupt
// batch, which the host never sends, shows as a decoder error only at the
// end (checking it whole first cost a tenth of a no-op task's time in the
// worker), and until then reads as tasks with empty names, which fail as
// unknown.
func readBatch(b []byte, name string) (batchReader, error) {
	r := batchReader{d: decoder{b: b}, name: name}
	r.n = int(r.d.u32())
	r.first = r.d.u64()
	if dl := int64(r.d.u64()); dl != 0 {
		r.deadline = time.Unix(0, dl)
	}
	if r.d.err != nil || r.n > len(b) {
		return batchReader{}, errCorrupt
	}
	return r, nil
}

// end reports whether the batch was read whole and nothing more.
func (r *batchReader) end() error { return r.d.end() }

// next returns the next task. A task's name is the previous task's string
// when the bytes match, so a batch allocates no name after its first (the
// compiler compares string(b) == s without converting).
func (r *batchReader) next() worker.Task {
	if nb := r.d.take(int(r.d.u16())); string(nb) != r.name {
		r.name = string(nb)
	}
	return worker.Task{Name: r.name, Input: r.d.bytes()}
}

// appendOutcomeHead appends o up to its output, which comes next, and
// appendOutcomeTail what follows the output.
func appendOutcomeHead(b []byte, o *outcome) []byte {
	b = le.AppendUint64(b, uint64(o.exec))
	b = append(b, byte(o.kind))
	return le.AppendUint32(b, uint32(len(o.output)))
}

func appendOutcomeTail(b []byte, o *outcome) []byte {
	if o.kind == workerpb.ErrorKind_ERROR_KIND_NONE {
		return b
	}
	b = appendBytes(b, []byte(o.msg))
	b = appendBytes(b, []byte(o.stack))
	b = le.AppendUint16(b, uint16(len(o.sentinels)))
	for _, s := range o.sentinels {
		b = appendBytes(b, []byte(s))
	}
	b = le.AppendUint16(b, uint16(len(o.values)))
	for _, v := range o.values {
		b = appendBytes(b, []byte(v.Type))
		b = appendBytes(b, v.JSON)
	}
	return b
}

// largePayload is the size from which a payload travels as a part of its
// own (frame.Mux.CallV, ReplyV) rather than being copied into the message's
// buffer: the frame layer writes such parts with writev from where they
// are. For a 16 MiB echo that is two 16 MiB copies fewer, one on each side.
const largePayload = 64 << 10

// A partsBuilder lays a message out as parts: the small fields in one
// buffer, interleaved with large payloads left where they are.
type partsBuilder struct {
	buf   []byte
	cuts  []int    // offsets in buf where a large payload goes
	large [][]byte // the payloads, one per cut
}

// large adds p as a part of its own, after what buf holds so far.
func (pb *partsBuilder) add(p []byte) {
	pb.cuts = append(pb.cuts, len(pb.buf))
	pb.large = append(pb.large, p)
}

// parts is the message, in order.
func (pb *partsBuilder) parts() [][]byte {
	parts := make([][]byte, 0, 2*len(pb.large)+1)
	last := 0
	for i, cut := range pb.cuts {
		parts = append(parts, pb.buf[last:cut], pb.large[i])
		last = cut
	}
	return append(parts, pb.buf[last:])
}

// batchParts lays bt out as appendBatch would, with large inputs as parts
// of their own. It reports false, and lays nothing out, when bt has none.
func batchParts(bt batch) ([][]byte, bool) {
	if !bt.large {
		return nil, false
	}
	var pb partsBuilder
	pb.buf = appendBatch(pb.buf, batch{first: bt.first, deadline: bt.deadline})
	le.PutUint32(pb.buf, uint32(len(bt.tasks)))
	for _, t := range bt.tasks {
		pb.buf = le.AppendUint16(pb.buf, uint16(len(t.Name)))
		pb.buf = append(pb.buf, t.Name...)
		pb.buf = le.AppendUint32(pb.buf, uint32(len(t.Input)))
		if len(t.Input) >= largePayload {
			pb.add(t.Input)
		} else {
			pb.buf = append(pb.buf, t.Input...)
		}
	}
	return pb.parts(), true
}

// outcomeSize is o's encoded size.
func outcomeSize(o *outcome) int {
	n := 8 + 1 + 4 + len(o.output)
	if o.kind != workerpb.ErrorKind_ERROR_KIND_NONE {
		n += 4 + len(o.msg) + 4 + len(o.stack) + 2 + 2
		for _, s := range o.sentinels {
			n += 4 + len(s)
		}
		for _, v := range o.values {
			n += 4 + len(v.Type) + 4 + len(v.JSON)
		}
	}
	return n
}

// decodeOutcomes decodes the outcomes of a batch of want tasks, or of any
// number if want is negative, into outs' storage. Outputs alias b; the
// outcomes are numbered from first.
func decodeOutcomes(b []byte, want int, first uint64, outs []outcome) ([]outcome, error) {
	d := decoder{b: b}
	n := int(d.u32())
	if want >= 0 && n != want || n > len(b) {
		return nil, errCorrupt
	}
	outs = slices.Grow(outs[:0], n)[:n]
	for i := range outs {
		o := &outs[i]
		*o = outcome{seq: first + uint64(i), exec: time.Duration(d.u64()), kind: workerpb.ErrorKind(d.u8())}
		o.output = d.bytes()
		if o.kind != workerpb.ErrorKind_ERROR_KIND_NONE {
			o.msg = string(d.bytes())
			o.stack = string(d.bytes())
			o.sentinels, o.values = d.wire()
		}
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

// wire reads an outcome's registered errors.
func (d *decoder) wire() ([]string, []worker.WireValue) {
	var sentinels []string
	for n := d.u16(); n > 0 && d.err == nil; n-- {
		sentinels = append(sentinels, string(d.bytes()))
	}
	var values []worker.WireValue
	for n := d.u16(); n > 0 && d.err == nil; n-- {
		t := string(d.bytes())
		values = append(values, worker.WireValue{Type: t, JSON: slices.Clone(d.bytes())})
	}
	return sentinels, values
}
