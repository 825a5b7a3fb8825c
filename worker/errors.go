package worker

import (
	"errors"
)

var (
	// ErrUnknownTask is returned for a task name that is not registered.
	ErrUnknownTask = errors.New("unknown task")

	// ErrBadInput is wrapped by errors for a task input the task cannot
	// take, such as "abc" for a task that wants a number, or input a typed
	// task cannot decode.
	ErrBadInput = errors.New("bad input")
)

// A PanicError is a panic raised in a task's own goroutine and recovered by
// [Run]. The worker that ran the task survives it.
type PanicError struct {
	Value string // the panic value, formatted with %v
	Stack string // the stack of the panicking goroutine
}

func (e *PanicError) Error() string { return "panic: " + e.Value }

// ErrTooLarge is wrapped by errors for a task input or output over the
// size a worker process accepts (the supervisor's MaxPayload). The message
// names the limit and how to raise it.
var ErrTooLarge = errors.New("payload too large")
