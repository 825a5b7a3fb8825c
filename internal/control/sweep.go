package control

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// tempPrefix names the directory a socket is bound in before it is linked
// into place; the binder's PID follows, so that the sweep can tell a
// dead binder's leftovers from a live one's.
const tempPrefix = ".control-"

// Sweep removes from Dir what dead supervisors left behind: control
// sockets that are named as we name them, that nobody listens on and whose
// owner PID is gone (a supervisor killed with SIGKILL cannot remove its
// own), and the temporary directories of a bind cut short. Anything else
// in Dir is left alone. It returns the paths it removed; errors are
// ignored, since a sweep that cannot remove something changes nothing.
func Sweep() []string {
	entries, err := os.ReadDir(Dir())
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		path := filepath.Join(Dir(), e.Name())
		if stale(e, path) && os.RemoveAll(path) == nil {
			removed = append(removed, path)
		}
	}
	return removed
}

// stale reports whether the entry is a dead supervisor's leftover.
func stale(e fs.DirEntry, path string) bool {
	if e.Type() == fs.ModeSocket {
		pid := ownerPID(e.Name())
		return pid > 0 && !pidAlive(pid) && !listening(path)
	}
	if e.IsDir() {
		if rest, ok := strings.CutPrefix(e.Name(), tempPrefix); ok {
			pidText, _, _ := strings.Cut(rest, "-")
			pid, err := strconv.Atoi(pidText)
			return err == nil && pid > 0 && !pidAlive(pid)
		}
	}
	return false
}
