package control

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// staleSocket leaves a socket file at path that nobody listens on, as a
// supervisor killed with SIGKILL does.
func staleSocket(t *testing.T, path string) {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
}

// deadPID is the PID of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.Pid()
}

// TestBindLeavesWhatIsNotOurs: --control=PATH once removed whatever was
// at PATH (issue #9). A file, a directory or a symbolic link is refused and
// left intact.
func TestBindLeavesWhatIsNotOurs(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(file, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{file, sub, link} {
		if srv, err := Bind(path); !errors.Is(err, ErrNotOurs) {
			if srv != nil {
				srv.Close()
			}
			t.Errorf("Bind(%s) = %v, want ErrNotOurs", path, err)
		}
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "precious" {
		t.Errorf("the file was touched: %q, %v", b, err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode().Type() != os.ModeSymlink {
		t.Errorf("the link was touched: %v, %v", fi, err)
	}
	if fi, err := os.Stat(sub); err != nil || !fi.IsDir() {
		t.Errorf("the directory was touched: %v", err)
	}
}

func TestBindReplacesAStaleSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.sock")
	staleSocket(t, path)
	srv, err := Bind(path)
	if err != nil {
		t.Fatal(err)
	}
	srv.Serve(&fakeTarget{}, nil)
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Ps(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left after Close: %v", err)
	}
}

// TestCloseRemovesOnlyItsOwnSocket: a file put in the socket's place after
// Bind survives Close.
func TestCloseRemovesOnlyItsOwnSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.sock")
	srv, err := Bind(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = srv.Close()
	if b, err := os.ReadFile(path); err != nil || string(b) != "mine" {
		t.Errorf("Close removed a file that was not its socket: %q, %v", b, err)
	}
}

func TestDialWithNobodyListening(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	path := filepath.Join(t.TempDir(), "c.sock")
	staleSocket(t, path)
	for _, p := range []string{path, filepath.Join(t.TempDir(), "none.sock"), ""} {
		if _, err := Dial(p); !errors.Is(err, ErrNoSupervisor) {
			t.Errorf("Dial(%q) = %v, want ErrNoSupervisor", p, err)
		}
	}
}

// TestSweep: the sockets of dead supervisors go; a live one's, a listening
// one, and anything not named as we name things stay.
func TestSweep(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	if err := ensureDir(Dir()); err != nil {
		t.Fatal(err)
	}
	dead := deadPID(t)
	deadSock := DefaultPath(dead)
	staleSocket(t, deadSock)
	deadTemp := filepath.Join(Dir(), tempPrefix+strconv.Itoa(dead)+"-123")
	if err := os.Mkdir(deadTemp, 0o700); err != nil {
		t.Fatal(err)
	}
	liveSock := DefaultPath(os.Getppid()) // a live process, not listening
	staleSocket(t, liveSock)
	odd := filepath.Join(Dir(), "supervisor-x.sock")
	staleSocket(t, odd)
	file := filepath.Join(Dir(), "supervisor-"+strconv.Itoa(dead)+".txt")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	removed := Sweep()
	for _, p := range []string{deadSock, deadTemp} {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s was not swept (removed %v)", p, removed)
		}
	}
	for _, p := range []string{liveSock, odd, file} {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was swept: %v", p, err)
		}
	}
}

func TestOwnerPID(t *testing.T) {
	for name, want := range map[string]int{"supervisor-42.sock": 42, "supervisor-042.sock": 0, "supervisor-x.sock": 0,
		"supervisor-42.sock.bak": 0, "other-42.sock": 0, "supervisor--1.sock": 0} {
		if got := ownerPID(name); got != want {
			t.Errorf("ownerPID(%q) = %d, want %d", name, got, want)
		}
	}
}

func TestFindWithTwoSupervisors(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	if err := ensureDir(Dir()); err != nil {
		t.Fatal(err)
	}
	for _, pid := range []int{os.Getpid(), os.Getppid()} {
		srv, err := Bind(DefaultPath(pid))
		if err != nil {
			t.Fatal(err)
		}
		srv.Serve(&fakeTarget{}, nil)
		defer srv.Close()
	}
	if _, err := Find(); !errors.Is(err, ErrAmbiguous) {
		t.Errorf("Find with two supervisors = %v, want ErrAmbiguous", err)
	}
}
