package demo

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
)

func init() {
	register(Task{
		Name:     "echo",
		Args:     "PAYLOAD (any bytes; default \"x\")",
		Summary:  "returns its input unchanged; the IPC probe",
		Defaults: []string{"x"},
		Run:      echo,
	})
	register(Task{
		Name:     "fail",
		Args:     "MESSAGE (default \"task failed\")",
		Summary:  "returns an error: a task's own failure, which is never retried",
		Defaults: []string{"task failed"},
		Run:      fail,
	})
	register(Task{
		Name:     "counter",
		Args:     "(ignored)",
		Summary:  "increments a counter in the memory of whatever process runs it and returns the new value",
		Defaults: []string{""},
		CPUBound: true,
		Run:      count,
	})
}

func echo(_ context.Context, input []byte) ([]byte, error) { return input, nil }

func fail(_ context.Context, input []byte) ([]byte, error) {
	if len(input) == 0 {
		return nil, errors.New("task failed")
	}
	return nil, errors.New(string(input))
}

// counter lives in the heap of the process that runs the task: shared by
// every goroutine in thread mode, private to each worker in process mode.
var counter atomic.Int64

func count(context.Context, []byte) ([]byte, error) {
	return strconv.AppendInt(nil, counter.Add(1), 10), nil
}
