package control

import "errors"

var (
	// ErrNoSupervisor means there is nothing to talk to: no supervisor is
	// running, or the one at the given path has gone.
	ErrNoSupervisor = errors.New("no running supervisor found")

	// ErrAmbiguous is returned by Find when several supervisors are
	// running: the caller must name one.
	ErrAmbiguous = errors.New("several supervisors are running")

	// ErrNoWorker is returned by Client.Kill for a worker id the
	// supervisor does not have.
	ErrNoWorker = errors.New("no such worker")

	// ErrInUse is returned by Bind when another supervisor listens at the
	// path.
	ErrInUse = errors.New("another supervisor is listening there")

	// ErrNotOurs is returned by Bind when something other than a stale
	// control socket is at the path: a regular file, a directory, a
	// symbolic link. Bind never removes such a thing (issue #9: a flag
	// must not be able to delete a user's file).
	ErrNotOurs = errors.New("exists and is not a control socket; refusing to replace it")
)
