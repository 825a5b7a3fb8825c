package worker

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"time"
)

// pid is read once: os.Getpid is a system call and Run is on the hot path.
var pid = os.Getpid()

// Run runs one task of the Default registry; see Registry.Run.
func Run(ctx context.Context, t Task) (Result, error) { return Default.Run(ctx, t) }

// Run runs one task in the calling goroutine and times it. A panic in the
// task's own goroutine becomes a *PanicError carrying the stack; the caller
// survives it. A panic in a goroutine the task started cannot be recovered
// and ends the process.
func (r *Registry) Run(ctx context.Context, t Task) (res Result, err error) {
	d, err := r.Lookup(t.Name)
	if err != nil {
		return Result{PID: pid}, err
	}
	start := time.Now()
	defer func() {
		res.Exec = time.Since(start)
		res.PID = pid
		if v := recover(); v != nil {
			res.Output = nil
			err = &PanicError{Value: fmt.Sprint(v), Stack: string(debug.Stack())}
		}
	}()
	out, err := d.Run(ctx, t.Input)
	return Result{Output: out}, err
}
