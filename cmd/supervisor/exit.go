package main

import (
	"errors"
	"fmt"
	"io"
)

// exitCode is the process's exit status; only main passes it to os.Exit.
type exitCode int

const (
	exitOK     exitCode = 0 // every task ok
	exitFailed exitCode = 1 // some task failed
	exitUsage  exitCode = 2 // bad flags or arguments
	exitGaveUp exitCode = 3 // the supervisor gave up: restart intensity, workers cannot start
)

// usageError is a mistake on the command line: one line on stderr, exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// report prints err as one line and returns the exit code it calls for.
func report(stderr io.Writer, err error) exitCode {
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "supervisor: %v\n", err)
	var u *usageError
	if errors.As(err, &u) {
		return exitUsage
	}
	return exitGaveUp
}
