package worker_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/procpool/supervisor/worker"
)

// A registry of one's own keeps a test's tasks apart; Run runs a task in
// the calling goroutine and times it, as both of the supervisor's modes do.
func ExampleRegistry_Run() {
	var reg worker.Registry
	reg.Register("upper", func(_ context.Context, in []byte) ([]byte, error) {
		return []byte(strings.ToUpper(string(in))), nil
	})
	res, err := reg.Run(context.Background(), worker.Task{Name: "upper", Input: []byte("hello")})
	fmt.Println(string(res.Output), err, res.Exec > 0)
	_, err = reg.Run(context.Background(), worker.Task{Name: "lower"})
	fmt.Println(errors.Is(err, worker.ErrUnknownTask))
	// Output:
	// HELLO <nil> true
	// true
}

// A panic in the task's own goroutine becomes a *PanicError with the
// stack; the caller survives it.
func ExampleRegistry_Run_panic() {
	var reg worker.Registry
	reg.Register("boom", func(context.Context, []byte) ([]byte, error) { panic("boom") })
	_, err := reg.Run(context.Background(), worker.Task{Name: "boom"})
	var p *worker.PanicError
	fmt.Println(err, errors.As(err, &p) && strings.Contains(p.Stack, "goroutine"))
	// Output: panic: boom true
}
