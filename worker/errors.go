package worker

import (
	"errors"
	"fmt"
)

var (
	// ErrUnknownTask is returned for a task name that is not registered.
	ErrUnknownTask = errors.New("unknown task")

	// ErrBadInput is wrapped by errors for a task input the task cannot take,
	// such as "abc" for primes. The CLI checks inputs with [Def.Check] before
	// starting any worker, so this reaches a task only through the library.
	ErrBadInput = errors.New("bad input")
)

// A PanicError is a panic raised in a task's own goroutine and recovered by
// [Run]. The worker that ran the task survives it.
type PanicError struct {
	Value string // the panic value, formatted with %v
	Stack string // the stack of the panicking goroutine
}

func (e *PanicError) Error() string { return "panic: " + e.Value }

// badInput wraps ErrBadInput with the offending value and what is accepted.
func badInput(task, input, accepted string) error {
	return fmt.Errorf("%w for %s: %q: %s", ErrBadInput, task, input, accepted)
}

// ErrTooLarge is wrapped by errors for a task input or output over the
// size a worker process accepts (the supervisor's MaxPayload). The message
// names the limit and how to raise it.
var ErrTooLarge = errors.New("payload too large")
