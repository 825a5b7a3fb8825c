package process

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/procpool/supervisor/internal/workerpb"
	"github.com/procpool/supervisor/worker"
)

// An outcome is one task's answer as it crosses the boundary, whatever the
// data path. Keeping it free of generated types lets the frame path encode
// it without protobuf.
type outcome struct {
	seq    uint64
	output []byte
	exec   time.Duration
	kind   workerpb.ErrorKind
	msg    string
	stack  string
	// The registered errors the task's error wrapped (worker.RegisterError,
	// RegisterErrorType): they keep their identity on the host.
	sentinels []string
	values    []worker.WireValue
}

// set makes o what worker.Run returned.
func (o *outcome) set(seq uint64, res worker.Result, err error) {
	o.seq, o.output, o.exec = seq, res.Output, res.Exec
	o.kind, o.msg, o.stack = encodeError(err)
	o.sentinels, o.values = nil, nil
	if err != nil && o.kind != workerpb.ErrorKind_ERROR_KIND_PANIC {
		w := worker.Default.ToWire(err)
		o.sentinels, o.values = w.Sentinels, w.Values
	}
}

// result turns an outcome back into what worker.Run returned, on the host.
func (o *outcome) result(pid int) (worker.Result, error) {
	err := decodeError(o.kind, o.msg, o.stack)
	if len(o.sentinels) > 0 || len(o.values) > 0 {
		// The registered errors it wrapped, beside the kind's own sentinel.
		err = worker.Default.FromWire(worker.WireError{Message: o.msg, Sentinels: o.sentinels, Values: o.values}, errors.Unwrap(err))
	}
	return worker.Result{Output: o.output, Exec: o.exec, PID: pid}, err
}

// encodeError classifies err so that errors.Is answers the same on the
// other side: sentinels travel as kinds, messages as text.
func encodeError(err error) (workerpb.ErrorKind, string, string) {
	if err == nil {
		// Before anything else: the target errors.As needs escapes to the
		// heap, an allocation per task that succeeds if made up front.
		return workerpb.ErrorKind_ERROR_KIND_NONE, "", ""
	}
	return encodeNonNil(err)
}

func encodeNonNil(err error) (workerpb.ErrorKind, string, string) {
	var p *worker.PanicError
	switch {
	case errors.As(err, &p):
		return workerpb.ErrorKind_ERROR_KIND_PANIC, p.Value, p.Stack
	case errors.Is(err, context.Canceled):
		return workerpb.ErrorKind_ERROR_KIND_CANCELED, err.Error(), ""
	case errors.Is(err, context.DeadlineExceeded):
		return workerpb.ErrorKind_ERROR_KIND_DEADLINE, err.Error(), ""
	case errors.Is(err, worker.ErrBadInput):
		return workerpb.ErrorKind_ERROR_KIND_BAD_INPUT, err.Error(), ""
	case errors.Is(err, worker.ErrUnknownTask):
		return workerpb.ErrorKind_ERROR_KIND_UNKNOWN_TASK, err.Error(), ""
	case errors.Is(err, worker.ErrTooLarge):
		return workerpb.ErrorKind_ERROR_KIND_TOO_LARGE, err.Error(), ""
	}
	return workerpb.ErrorKind_ERROR_KIND_TASK, err.Error(), ""
}

// decodeError rebuilds an error from its kind and text.
func decodeError(kind workerpb.ErrorKind, msg, stack string) error {
	var sentinel error
	switch kind {
	case workerpb.ErrorKind_ERROR_KIND_NONE:
		return nil
	case workerpb.ErrorKind_ERROR_KIND_PANIC:
		return &worker.PanicError{Value: msg, Stack: stack}
	case workerpb.ErrorKind_ERROR_KIND_CANCELED:
		sentinel = context.Canceled
	case workerpb.ErrorKind_ERROR_KIND_DEADLINE:
		sentinel = context.DeadlineExceeded
	case workerpb.ErrorKind_ERROR_KIND_BAD_INPUT:
		sentinel = worker.ErrBadInput
	case workerpb.ErrorKind_ERROR_KIND_UNKNOWN_TASK:
		sentinel = worker.ErrUnknownTask
	case workerpb.ErrorKind_ERROR_KIND_TOO_LARGE:
		sentinel = worker.ErrTooLarge
	}
	return &remoteError{msg: msg, sentinel: sentinel}
}

// A remoteError is an error that happened in a worker process: the text is
// the original's, and Unwrap gives the sentinel it wrapped, if any.
type remoteError struct {
	msg      string
	sentinel error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.sentinel }

// tooLarge is the error for a payload over the limit; it names the limit and
// the knobs that raise it, never gRPC's bare ResourceExhausted.
func tooLarge(what string, size, limit int) error {
	return fmt.Errorf("%w: %s of %s is over the %s limit (Config.MaxPayload)",
		worker.ErrTooLarge, what, byteSize(size), byteSize(limit))
}

// byteSize formats a byte count in the largest binary unit that keeps it at
// one or more, so that a 128 KiB limit does not read as "0.1 MiB".
func byteSize(n int) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// toPB and fromPB convert between outcomes and their gRPC form.
func (o *outcome) toPB() *workerpb.Outcome {
	pb := &workerpb.Outcome{Seq: o.seq, Output: o.output, ExecNs: int64(o.exec),
		Kind: o.kind, Error: o.msg, Stack: o.stack, Sentinels: o.sentinels}
	for _, v := range o.values {
		pb.Values = append(pb.Values, &workerpb.ErrorValue{Type: v.Type, Json: v.JSON})
	}
	return pb
}

func fromPB(p *workerpb.Outcome) outcome {
	o := outcome{seq: p.GetSeq(), output: p.GetOutput(), exec: time.Duration(p.GetExecNs()),
		kind: p.GetKind(), msg: p.GetError(), stack: p.GetStack(), sentinels: p.GetSentinels()}
	for _, v := range p.GetValues() {
		o.values = append(o.values, worker.WireValue{Type: v.GetType(), JSON: v.GetJson()})
	}
	return o
}
