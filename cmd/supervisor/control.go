package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/procpool/supervisor/internal/control"
)

// controlObserver serves the run's control socket, for "supervisor ps",
// "supervisor kill" and "supervisor top" in another terminal. The socket is bound before
// any worker starts and served once the supervisor exists.
type controlObserver struct {
	nop
	srv *control.Server // nil when the default socket could not be made
}

// bindControl binds the control socket at path, or at the per-user
// default. A path given with --control that cannot be used is a usage
// error (exit 2), and whatever is there is left intact; when the default
// cannot be made, the run goes on without one, saying so.
func bindControl(path string, stderr io.Writer) (*controlObserver, error) {
	srv, err := control.Bind(path)
	switch {
	case err == nil:
		fmt.Fprintf(stderr, "supervisor: control socket %s (supervisor ps, top, kill WORKER)\n", srv.Path())
		return &controlObserver{srv: srv}, nil
	case path == "":
		fmt.Fprintf(stderr, "supervisor: no control socket: %v\n", err)
		return &controlObserver{}, nil
	case errors.Is(err, control.ErrNotOurs), errors.Is(err, control.ErrInUse):
		return nil, usagef("--control=%s: %s", path, unwrapAll(err))
	}
	return nil, usagef("--control=%s: %v", path, err)
}

// unwrapAll is the innermost error's message: the path is already named.
func unwrapAll(err error) string {
	for errors.Unwrap(err) != nil {
		err = errors.Unwrap(err)
	}
	return err.Error()
}

func (c *controlObserver) attach(s live) error {
	if c.srv != nil {
		c.srv.Serve(s, s.feed)
	}
	return nil
}

func (c *controlObserver) detach(summary) { c.close() }

// close removes the socket; it is safe to call more than once.
func (c *controlObserver) close() {
	if c.srv != nil {
		_ = c.srv.Close()
		c.srv = nil
	}
}
