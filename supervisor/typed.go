package supervisor

import (
	"context"
	"fmt"
	"iter"

	"github.com/procpool/supervisor/worker"
)

// A Def is a typed task: a name tied to a function of In to Out and the
// codecs that carry them. Define one at package level, so that the
// supervisor and its worker processes (the same program, re-executed) both
// know it:
//
//	var Resize = supervisor.Define("resize", func(ctx context.Context, img Image) (Thumb, error) { ... })
//
//	f := Resize.Submit(ctx, pool, img) // *Future[Thumb]
//	thumb, err := f.Wait(ctx)
//
// A Def's methods are safe for concurrent use.
type Def[In, Out any] struct {
	name string
	in   Codec[In]
	out  Codec[Out]
}

// Define registers fn in worker's Default registry as the task name, with
// JSON for its input and output, and returns its typed handle. It panics
// if the name is taken, as worker.Register does: call it at package level.
func Define[In, Out any](name string, fn func(ctx context.Context, in In) (Out, error)) *Def[In, Out] {
	return DefineWith(name, fn, JSON[In](), JSON[Out]())
}

// DefineWith is Define with the codecs of one's choice, such as Bytes,
// String, or a protobuf codec (see package protocodec).
func DefineWith[In, Out any](name string, fn func(ctx context.Context, in In) (Out, error), in Codec[In], out Codec[Out]) *Def[In, Out] {
	d := &Def[In, Out]{name: name, in: in, out: out}
	worker.Register(name, d.wrap(fn))
	return d
}

// wrap is fn as the worker registry sees it: bytes in, bytes out. Input it
// cannot decode is the caller's mistake, so its error wraps
// worker.ErrBadInput.
func (d *Def[In, Out]) wrap(fn func(context.Context, In) (Out, error)) worker.Func {
	return func(ctx context.Context, b []byte) ([]byte, error) {
		in, err := d.in.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("%w for %s: %w", worker.ErrBadInput, d.name, err)
		}
		out, err := fn(ctx, in)
		if err != nil {
			return nil, err
		}
		return d.out.Encode(out)
	}
}

// Name is the task's registered name.
func (d *Def[In, Out]) Name() string { return d.name }

// Task encodes in as the untyped task that carries it.
func (d *Def[In, Out]) Task(in In) (worker.Task, error) {
	b, err := d.in.Encode(in)
	if err != nil {
		return worker.Task{}, fmt.Errorf("encode the input of %s: %w", d.name, err)
	}
	return worker.Task{Name: d.name, Input: b}, nil
}

// Submit submits the task with input in to ex, as Supervisor.Submit does,
// and returns its typed future. An input that cannot be encoded gives a
// future already done, failed with the encoder's error.
func (d *Def[In, Out]) Submit(ctx context.Context, ex Executor, in In) *Future[Out] {
	t, err := d.Task(in)
	if err != nil {
		st := newFutureState(0, worker.Task{Name: d.name})
		st.complete(Result{Task: st.task, Status: StatusFailed, Err: err})
		return &Future[Out]{st: st, conv: d.decodeResult}
	}
	return d.Of(ex.Submit(ctx, t))
}

// Of is the typed view of f, an untyped future of this task.
func (d *Def[In, Out]) Of(f *Future[[]byte]) *Future[Out] {
	return &Future[Out]{st: f.st, conv: d.decodeResult}
}

func (d *Def[In, Out]) decodeResult(r *Result) (Out, error) {
	if r.Err != nil {
		var zero Out
		return zero, r.Err
	}
	return d.decode(r.Output)
}

func (d *Def[In, Out]) decode(b []byte) (Out, error) {
	out, err := d.out.Decode(b)
	if err != nil {
		return out, fmt.Errorf("decode the output of %s: %w", d.name, err)
	}
	return out, nil
}

// Map runs the task on every input, chunksize to a message, and yields
// each output and error in input order, as Supervisor.Map does.
func (d *Def[In, Out]) Map(ctx context.Context, ex Executor, inputs iter.Seq[In], chunksize int) iter.Seq2[Out, error] {
	return func(yield func(Out, error) bool) {
		var encErr error
		raw := func(yield func([]byte) bool) {
			for in := range inputs {
				b, err := d.in.Encode(in)
				if err != nil {
					encErr = fmt.Errorf("encode an input of %s: %w", d.name, err)
					return
				}
				if !yield(b) {
					return
				}
			}
		}
		for b, err := range ex.Map(ctx, d.name, raw, chunksize) {
			var out Out
			if err == nil {
				out, err = d.decode(b)
			}
			if !yield(out, err) {
				return
			}
		}
		if encErr != nil {
			var zero Out
			yield(zero, encErr)
		}
	}
}
