package supervisor_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// A typed task, defined at package level so that the supervisor and its
// worker processes (this program re-executed; TestMain calls
// supervisor.ServeWorker first) both know it.
var Shout = supervisor.Define("example.shout", func(ctx context.Context, s string) (string, error) {
	if s == "" {
		return "", ErrNothingToShout
	}
	return strings.ToUpper(s) + "!", nil
})

// ErrNothingToShout is the task's own error; registered, it keeps its
// identity across the process boundary.
var ErrNothingToShout = errors.New("nothing to shout")

func init() { worker.RegisterError(ErrNothingToShout) }

// A process pool with a typed task: each call runs in a worker process,
// and a task's own error keeps its identity.
func Example() {
	ctx := context.Background()
	pool, err := supervisor.New(ctx, supervisor.Config{Mode: supervisor.ModeProcess, Workers: 2})
	if err != nil {
		panic(err)
	}
	defer pool.Stop(ctx)

	hello := Shout.Submit(ctx, pool, "hello")
	empty := Shout.Submit(ctx, pool, "")
	out, err := hello.Wait(ctx)
	fmt.Println(out, err, hello.Result().PID != os.Getpid())
	_, err = empty.Wait(ctx)
	fmt.Println(errors.Is(err, ErrNothingToShout))
	// Output:
	// HELLO! <nil> true
	// true
}

// Map over a typed task: outputs in input order, several inputs to a
// message (chunksize), streaming.
func ExampleDef_Map() {
	ctx := context.Background()
	pool, err := supervisor.New(ctx, supervisor.Config{Mode: supervisor.ModeProcess, Workers: 2})
	if err != nil {
		panic(err)
	}
	defer pool.Stop(ctx)

	for out, err := range Shout.Map(ctx, pool, slices.Values([]string{"a", "b", "", "d"}), 2) {
		fmt.Printf("%q %v\n", out, err)
	}
	// Output:
	// "A!" <nil>
	// "B!" <nil>
	// "" nothing to shout
	// "D!" <nil>
}

var Nap = supervisor.Define("example.nap", func(ctx context.Context, d time.Duration) (string, error) {
	select {
	case <-time.After(d):
		return "rested", nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
})

// Cancel ends a queued task at once, and a running one through its
// context (in process mode, the kill ladder follows if it ignores it).
func ExampleFuture_Cancel() {
	ctx := context.Background()
	pool, err := supervisor.New(ctx, supervisor.Config{Mode: supervisor.ModeProcess, Workers: 1})
	if err != nil {
		panic(err)
	}
	defer pool.Stop(ctx)

	running := Nap.Submit(ctx, pool, time.Hour)
	queued := Nap.Submit(ctx, pool, time.Hour)
	for !running.Running() {
		time.Sleep(time.Millisecond)
	}
	fmt.Println(queued.Cancel(), running.Cancel())
	for _, f := range []*supervisor.Future[string]{queued, running} {
		_, err := f.Wait(ctx)
		fmt.Println(f.Cancelled(), errors.Is(err, context.Canceled))
	}
	// Output:
	// true true
	// true true
	// true true
}

// Wait returns when the first task fails, like concurrent.futures.wait
// with FIRST_EXCEPTION.
func ExampleWait() {
	ctx := context.Background()
	pool, err := supervisor.New(ctx, supervisor.Config{Mode: supervisor.ModeThread, Workers: 3})
	if err != nil {
		panic(err)
	}
	defer pool.Stop(ctx, supervisor.CancelRunning)

	fs := []*supervisor.Future[string]{
		Shout.Submit(ctx, pool, ""),
		Nap.Submit(ctx, pool, time.Hour),
	}
	done, pending, err := supervisor.Wait(ctx, fs, supervisor.FirstError)
	fmt.Println(len(done), len(pending), err, done[0].Err())
	// Output: 1 1 <nil> nothing to shout
}

// AsCompleted yields futures as their tasks end, like as_completed; with
// a deadline on its context, it stops there and says so.
func ExampleAsCompleted() {
	ctx := context.Background()
	pool, err := supervisor.New(ctx, supervisor.Config{Mode: supervisor.ModeThread, Workers: 2})
	if err != nil {
		panic(err)
	}
	defer pool.Stop(ctx, supervisor.CancelRunning)

	quick := Nap.Submit(ctx, pool, time.Millisecond)
	slow := Nap.Submit(ctx, pool, time.Hour)
	deadline, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	for f, err := range supervisor.AsCompleted(deadline, quick, slow) {
		if err != nil {
			fmt.Println("stopped:", err)
			break
		}
		out, _ := f.Wait(ctx)
		fmt.Println(out)
	}
	// Output:
	// rested
	// stopped: context deadline exceeded
}
