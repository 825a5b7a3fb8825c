package control

import (
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

// socketPrefix and socketSuffix frame the owner's PID in the name of a
// control socket in Dir: the sweep relies on this naming.
const (
	socketPrefix = "supervisor-"
	socketSuffix = ".sock"
)

// DefaultPath is where the supervisor with the given PID listens unless
// told otherwise.
func DefaultPath(pid int) string {
	return filepath.Join(Dir(), socketPrefix+strconv.Itoa(pid)+socketSuffix)
}

// ownerPID is the PID in a control socket's name in Dir, or 0 when the
// name is not one we give.
func ownerPID(name string) int {
	s, ok := strings.CutPrefix(name, socketPrefix)
	if !ok {
		return 0
	}
	s, ok = strings.CutSuffix(s, socketSuffix)
	if !ok {
		return 0
	}
	pid, err := strconv.Atoi(s)
	if err != nil || pid < 1 || strconv.Itoa(pid) != s {
		return 0
	}
	return pid
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

// Find returns the control socket of the one running supervisor in Dir.
// With none it returns an error wrapping ErrNoSupervisor; with several, one
// wrapping ErrAmbiguous (the caller must pick one with --control).
func Find() (string, error) {
	paths, err := filepath.Glob(filepath.Join(Dir(), socketPrefix+"*"+socketSuffix))
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
	return "", fmt.Errorf("%w (%d); pick one with --control: %s", ErrAmbiguous, len(live), strings.Join(live, ", "))
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
