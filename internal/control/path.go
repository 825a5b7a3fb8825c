package control

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Dir is the per-user directory for control sockets: $XDG_RUNTIME_DIR/supervisor
// when the session has one, else supervisor-<uid> in the temporary directory.
func Dir() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "supervisor")
	}
	return filepath.Join(os.TempDir(), "supervisor-"+strconv.Itoa(os.Getuid()))
}

// DefaultPath is where the supervisor with the given PID listens unless
// told otherwise.
func DefaultPath(pid int) string {
	return filepath.Join(Dir(), fmt.Sprintf("supervisor-%d.sock", pid))
}

// ensureDir creates dir with mode 0700 if needed, and refuses one that
// others could write to or that belongs to someone else.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("control directory %s is writable by others (mode %v)", dir, fi.Mode().Perm())
	}
	return checkOwner(fi)
}

// ErrNoSupervisor is returned by Find when no supervisor is running.
var ErrNoSupervisor = errors.New("no running supervisor found")

// Find returns the control socket of the one running supervisor in Dir. With
// none, or with several (the caller must pick one with --control), it says
// so.
func Find() (string, error) {
	paths, err := filepath.Glob(filepath.Join(Dir(), "supervisor-*.sock"))
	if err != nil {
		return "", err
	}
	var live []string
	for _, p := range paths {
		if listening(p) {
			live = append(live, p)
		}
	}
	switch len(live) {
	case 0:
		return "", fmt.Errorf("%w in %s (start one, or pass --control=PATH)", ErrNoSupervisor, Dir())
	case 1:
		return live[0], nil
	}
	return "", fmt.Errorf("%d supervisors are running; pick one with --control: %s", len(live), strings.Join(live, ", "))
}

// listening reports whether something accepts connections on the socket.
func listening(path string) bool {
	c, err := net.DialTimeout("unix", path, 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
