package rundir

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// envHelper makes the test binary a helper process: it creates a run
// directory under the base the variable names, prints its path and waits
// to be killed (the TestMain re-exec pattern).
const envHelper = "RUNDIR_TEST_OWNER_BASE"

func TestMain(m *testing.M) {
	if base := os.Getenv(envHelper); base != "" {
		d, err := Create(base)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println(d.Path())
		select {} // until killed
	}
	os.Exit(m.Run())
}

func TestCreateIsPrivate(t *testing.T) {
	base := shortTempDir(t)
	d, err := Create(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Dir(d.Path()), d.Path()} {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want a directory with mode 0700", p, fi.Mode())
		}
	}
	if got, want := filepath.Base(filepath.Dir(d.Path())), ParentName(); got != want {
		t.Errorf("parent %q, want %q", got, want)
	}
	o, ok := parseName(filepath.Base(d.Path()))
	if !ok || o.pid != os.Getpid() || !alive(o) {
		t.Errorf("name %q: owner %+v %v, want this live process", filepath.Base(d.Path()), o, ok)
	}
	if err := d.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(d.Path()); !os.IsNotExist(err) {
		t.Errorf("after Remove: %v", err)
	}
	if err := d.Remove(); err != nil {
		t.Errorf("second Remove: %v", err)
	}
}

func TestCreateRefusesAParentNotOurs(t *testing.T) {
	cases := map[string]func(t *testing.T, parent string){
		"symlink": func(t *testing.T, parent string) {
			if err := os.Symlink(t.TempDir(), parent); err != nil {
				t.Fatal(err)
			}
		},
		"file": func(t *testing.T, parent string) {
			if err := os.WriteFile(parent, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		},
		"open to others": func(t *testing.T, parent string) {
			if err := os.Mkdir(parent, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(parent, 0o777); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, setup := range cases {
		t.Run(name, func(t *testing.T) {
			base := shortTempDir(t)
			setup(t, filepath.Join(base, ParentName()))
			d, err := Create(base)
			if err == nil {
				t.Fatalf("Create made %s", d.Path())
			}
			if msg := err.Error(); !strings.Contains(msg, "refusing") || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line that refuses", msg)
			}
		})
	}
}

// A SIGKILLed owner's directory is swept by the next owner; a live owner's
// is kept.
func TestSweepRemovesADeadOwnersDirectory(t *testing.T) {
	base := shortTempDir(t)
	dead, deadPath := startOwner(t, base)
	_, livePath := startOwner(t, base)
	if err := dead.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = dead.Wait()
	d, err := Create(base)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Remove()
	if _, err := os.Lstat(deadPath); !os.IsNotExist(err) {
		t.Errorf("the dead owner's directory is still there: %v", err)
	}
	if _, err := os.Lstat(livePath); err != nil {
		t.Errorf("the live owner's directory was removed: %v", err)
	}
}

// startOwner starts a helper process that creates a run directory under
// base, and returns it with the directory's path; it is killed when the
// test ends.
func startOwner(t *testing.T, base string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envHelper+"="+base, "GORACE=atexit_sleep_ms=0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case p := <-line:
		if !strings.HasPrefix(p, base) {
			t.Fatalf("helper said %q", p)
		}
		return cmd, p
	case <-time.After(30 * time.Second):
		t.Fatal("helper did not report its directory in 30s")
	}
	return nil, ""
}

// Sweep removes a directory whose PID now belongs to another process (a
// different start time), and nothing that it did not make.
func TestSweepKeepsWhatIsNotOurs(t *testing.T) {
	base := shortTempDir(t)
	d, err := Create(base)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Remove()
	parent := filepath.Dir(d.Path())
	self, err := selfOwner()
	if err != nil {
		t.Fatal(err)
	}
	reused := owner{pid: self.pid, start: self.start + 1}.name("0bad0f")
	mustMkdir(t, filepath.Join(parent, reused))
	keep := []string{
		"not-ours",                           // another name
		"1-2-zzzzzzzz",                       // not our suffix
		owner{pid: 1 << 30}.name("00000001"), // a file named as ours
		owner{pid: 1 << 30}.name("00000002"), // a symbolic link named as ours
	}
	mustMkdir(t, filepath.Join(parent, keep[0]))
	mustMkdir(t, filepath.Join(parent, keep[1]))
	if err := os.WriteFile(filepath.Join(parent, keep[2]), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	target := t.TempDir()
	if err := os.Symlink(target, filepath.Join(parent, keep[3])); err != nil {
		t.Fatal(err)
	}
	removed, err := Sweep(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || filepath.Base(removed[0]) != reused {
		t.Errorf("removed %q, want only %s", removed, reused)
	}
	for _, k := range append(keep, filepath.Base(d.Path())) {
		if _, err := os.Lstat(filepath.Join(parent, k)); err != nil {
			t.Errorf("%s was removed: %v", k, err)
		}
	}
	if _, err := os.Stat(target); err != nil {
		t.Errorf("the symbolic link's target was removed: %v", err)
	}
}

func mustMkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.Mkdir(p, 0o700); err != nil {
		t.Fatal(err)
	}
}

func TestParseName(t *testing.T) {
	cases := []struct {
		name string
		ok   bool
		want owner
	}{
		{"3f-co-0011aa", true, owner{pid: 123, start: 456}},
		{"3f-0-0011aa", true, owner{pid: 123}},
		{"03f-co-0011aa", false, owner{}},
		{"-1-co-0011aa", false, owner{}},
		{"3f-co-0011ag", false, owner{}},
		{"3f-co-0011a", false, owner{}},
		{"3f-co", false, owner{}},
		{"plugin-dir123", false, owner{}},
	}
	for _, c := range cases {
		got, ok := parseName(c.name)
		if ok != c.ok || got != c.want {
			t.Errorf("parseName(%q) = %+v %v, want %+v %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestCreateRefusesAPathTooLongForSockets(t *testing.T) {
	base := filepath.Join(shortTempDir(t), strings.Repeat("x", MaxPathLen))
	if err := os.Mkdir(base, 0o700); err != nil {
		t.Fatal(err)
	}
	if d, err := Create(base); err == nil || !strings.Contains(err.Error(), "TMPDIR") {
		t.Fatalf("Create: %v %v; want an error naming TMPDIR", d, err)
	}
}

// shortTempDir is a temporary directory with a path short enough for a
// run directory (t.TempDir's are long).
func shortTempDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "rd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}
