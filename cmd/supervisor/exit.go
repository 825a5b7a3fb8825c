package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/procpool/supervisor/internal/control"
	"github.com/procpool/supervisor/internal/limits"
)

// exitCode is the process's exit status; only main passes it to os.Exit.
type exitCode int

const (
	exitOK       exitCode = 0 // every task ok
	exitFailed   exitCode = 1 // some task failed
	exitUsage    exitCode = 2 // bad flags or arguments
	exitGaveUp   exitCode = 3 // the supervisor gave up: restart intensity, workers cannot start, no thread budget
	exitNoTarget exitCode = 4 // ps, kill: no supervisor to talk to, or no such worker
	// After a signal the exit status is 128 plus its number, as shells
	// report a death by that signal: 129 SIGHUP, 130 SIGINT, 143 SIGTERM.
	exitSignalBase exitCode = 128
)

// usageError is a mistake on the command line: one line on stderr, exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitStatus ends a command with a code, its story already told (the
// results and the summary printed, or the error line): nothing more is
// printed for it.
type exitStatus struct{ code exitCode }

func (e *exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// codeOf is the exit code err calls for.
func codeOf(err error) exitCode {
	var (
		u *usageError
		s *exitStatus
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &s):
		return s.code
	case errors.As(err, &u), errors.Is(err, control.ErrAmbiguous):
		return exitUsage
	case errors.Is(err, control.ErrNoSupervisor), errors.Is(err, control.ErrNoWorker):
		return exitNoTarget
	case errors.Is(err, limits.ErrBudget):
		return exitGaveUp
	}
	return exitGaveUp
}

// report prints err as one line, unless it was told already, and returns
// the exit code it calls for.
func report(stderr io.Writer, err error) exitCode {
	var s *exitStatus
	if err != nil && !errors.As(err, &s) {
		fmt.Fprintf(stderr, "supervisor: %v\n", err)
	}
	return codeOf(err)
}
