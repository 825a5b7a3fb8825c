package worker_test

import (
	"context"
	"fmt"

	"github.com/procpool/supervisor/worker"
)

// Run runs a registered task in the calling goroutine and times it; both
// of the supervisor's modes end up here.
func ExampleRun() {
	res, err := worker.Run(context.Background(), worker.Task{Name: "primes", Input: []byte("112272535095293")})
	fmt.Println(string(res.Output), err, res.Exec > 0)
	// Output: 112272535095293 is prime: true <nil> true
}

// A panic in the task's own goroutine becomes a *PanicError with the
// stack; the caller survives it.
func ExampleRun_panic() {
	_, err := worker.Run(context.Background(), worker.Task{Name: "panic", Input: []byte("boom")})
	fmt.Println(err)
	// Output: panic: boom
}
