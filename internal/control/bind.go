package control

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
)

// Bind listens on the control socket at path, or at DefaultPath of this
// process when path is "" (first sweeping what dead supervisors left in
// Dir). It does not serve yet: a caller binds before starting any worker,
// so that a bad path costs nothing, and calls Serve once there is a
// supervisor to serve.
//
// Bind replaces only a stale control socket: a socket file nobody listens
// on. A live one is ErrInUse; anything else at path is ErrNotOurs and is
// left untouched.
func Bind(path string) (*Server, error) {
	if path != "" {
		return bind(path, false)
	}
	for range 10 {
		err := ensureDir(Dir())
		if err == nil {
			Sweep()
			var s *Server
			if s, err = bind(DefaultPath(os.Getpid()), true); err == nil {
				return s, nil
			}
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("control socket: %w", err)
		}
		// Another supervisor, stopping, removed Dir as it emptied (see
		// Server.Close): make it again.
	}
	return nil, fmt.Errorf("control socket: %s removed again each time it was made", Dir())
}

// bind binds the socket at path; inDir says path is in Dir, which Close
// then removes if it is left empty.
func bind(path string, inDir bool) (*Server, error) {
	if err := clearStale(path); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ln, fi, err := listenPrivate(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Server{path: path, ln: ln, file: fi, inDir: inDir}, nil
}

// clearStale removes a control socket nobody listens on at path, and
// refuses anything else that is there.
func clearStale(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode().Type() != fs.ModeSocket:
		return ErrNotOurs
	case listening(path):
		return ErrInUse
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// listenPrivate listens on a Unix socket at path with mode 0600. The
// socket is bound in a fresh 0700 directory next to path, given its mode,
// and only then linked into place, so there is no moment when others
// could connect (changing the umask instead would leak into workers
// spawned meanwhile). link(2), unlike rename(2), fails if anything appeared
// at path meanwhile, so nothing is ever overwritten.
func listenPrivate(path string) (net.Listener, os.FileInfo, error) {
	tmp, err := os.MkdirTemp(filepath.Dir(path), tempPrefix+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(tmp)
	bound := filepath.Join(tmp, "s")
	ln, err := net.Listen("unix", bound)
	if err != nil {
		return nil, nil, err
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	fail := func(err error) (net.Listener, os.FileInfo, error) {
		ln.Close()
		return nil, nil, err
	}
	if err := os.Chmod(bound, 0o600); err != nil {
		return fail(err)
	}
	if err := os.Link(bound, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			err = ErrNotOurs
		}
		return fail(err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return fail(err)
	}
	return ln, fi, nil
}
