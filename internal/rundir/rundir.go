package rundir

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// A Dir is a supervisor's private directory. Its methods are safe for
// concurrent use.
type Dir struct {
	path string
}

// Path is the directory's absolute path.
func (d *Dir) Path() string { return d.path }

// Remove removes the directory and everything in it. It is idempotent.
// Workers still running may lose their sockets: call it once they are
// stopped.
func (d *Dir) Remove() error {
	if err := os.RemoveAll(d.path); err != nil {
		return fmt.Errorf("remove run directory: %w", err)
	}
	// The per-user parent goes too when nothing else is in it (rmdir
	// refuses a directory that is not empty: another supervisor's, or a
	// control socket, keeps it).
	_ = os.Remove(filepath.Dir(d.path))
	return nil
}

// Create makes a new private directory for this process under base
// (default: os.TempDir()) in base/supervisor-<uid>, and first sweeps that
// parent of directories whose owner is dead (see [Sweep]). It refuses a
// parent that is a symbolic link, is not a directory, is owned by another
// user or is open to others (its mode must be 0700), with an error that
// names it.
func Create(base string) (*Dir, error) {
	parent, err := ensureParent(base)
	if err != nil {
		return nil, err
	}
	_, _ = Sweep(parent) // a stale sibling left behind costs disk, not correctness
	self, err := selfOwner()
	if err != nil {
		return nil, fmt.Errorf("create run directory: %w", err)
	}
	if n := len(filepath.Join(parent, self.name(randomSuffix()))); n > MaxPathLen {
		return nil, fmt.Errorf("run directory in %s would be %d bytes long, over the %d that leaves room for socket names; set TMPDIR to a shorter directory",
			parent, n, MaxPathLen)
	}
	for range 10 {
		path := filepath.Join(parent, self.name(randomSuffix()))
		err := os.Mkdir(path, 0o700)
		switch {
		case err == nil:
			return &Dir{path: path}, nil
		case errors.Is(err, os.ErrNotExist):
			// Another supervisor, stopping, removed the parent as it
			// emptied (see Remove): make it again.
			if _, err := ensureParent(base); err != nil {
				return nil, err
			}
		case !errors.Is(err, os.ErrExist):
			return nil, fmt.Errorf("create run directory: %w", err)
		}
	}
	return nil, fmt.Errorf("create run directory in %s: no free name after 10 tries", parent)
}

// MaxPathLen bounds a run directory's path: a Unix socket's path must fit
// in 108 bytes with its terminating NUL, and go-plugin puts a socket two
// levels down with names of up to 38 bytes
// ("/plugin-dir1234567890/plugin1234567890").
const MaxPathLen = 107 - 38

// ParentName is the name of the per-user parent under base.
func ParentName() string { return "supervisor-" + strconv.Itoa(os.Getuid()) }

// ensureParent makes base/supervisor-<uid> if needed and checks that it is
// ours alone.
func ensureParent(base string) (string, error) {
	if base == "" {
		base = os.TempDir()
	}
	abs, err := filepath.Abs(base)
	if err != nil {
		return "", fmt.Errorf("run directory base %q: %w", base, err)
	}
	parent := filepath.Join(abs, ParentName())
	for range 10 {
		if err := os.Mkdir(parent, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("create run directory parent: %w", err)
		}
		err := checkPrivate(parent)
		if !errors.Is(err, os.ErrNotExist) {
			if err != nil {
				return "", err
			}
			return parent, nil
		}
		// Another supervisor, stopping, removed it as it emptied (see
		// Remove): make it again.
	}
	return "", fmt.Errorf("create run directory parent %s: removed again each time it was made", parent)
}

// checkPrivate refuses a path that is a symbolic link, not a directory,
// owned by someone else, or open to group or others.
func checkPrivate(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("run directory parent: %w", err)
	}
	switch {
	case fi.Mode()&os.ModeSymlink != 0:
		return fmt.Errorf("run directory parent %s is a symbolic link; refusing to use it", path)
	case !fi.IsDir():
		return fmt.Errorf("run directory parent %s is not a directory; refusing to use it", path)
	case !ownedByUs(fi):
		return fmt.Errorf("run directory parent %s is owned by another user; refusing to use it", path)
	case fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("run directory parent %s has mode %04o, want 0700; refusing to use it", path, fi.Mode().Perm())
	}
	return nil
}

func ownedByUs(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}

func randomSuffix() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// An owner is the process a directory belongs to.
type owner struct {
	pid   int
	start uint64 // start time in clock ticks since boot; 0 where unknown
}

// name is the owner's PID and start time in base 36, and suffix: short,
// because Unix socket paths are (see MaxPathLen).
func (o owner) name(suffix string) string {
	return strconv.FormatInt(int64(o.pid), 36) + "-" + strconv.FormatUint(o.start, 36) + "-" + suffix
}

// parseName reads the owner from a directory name made by name; ok is
// false for any other name.
func parseName(name string) (o owner, ok bool) {
	parts := strings.Split(name, "-")
	if len(parts) != 3 || len(parts[2]) != 6 {
		return owner{}, false
	}
	if _, err := hex.DecodeString(parts[2]); err != nil {
		return owner{}, false
	}
	pid, err1 := strconv.ParseInt(parts[0], 36, 32)
	start, err2 := strconv.ParseUint(parts[1], 36, 64)
	if err1 != nil || err2 != nil || pid <= 0 || strconv.FormatInt(pid, 36) != parts[0] {
		return owner{}, false
	}
	return owner{pid: int(pid), start: start}, true
}
