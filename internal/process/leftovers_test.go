package process

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/procpool/supervisor/internal/rundir"
)

// 100 worker deaths leave nothing in the socket directory but what live
// workers use: before, every worker that died by itself left go-plugin's
// socket directory behind (453 kills, 453 directories in $TMPDIR).
func TestDeathsLeaveNoSocketDirectories(t *testing.T) {
	dir, err := rundir.Create(shortTempDir(t))
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Remove()
	live := startTestConfig(t, Config{ID: 1, SocketDir: dir.Path()})
	for range 100 {
		w := startTestConfig(t, Config{ID: 2, SocketDir: dir.Path()})
		if err := w.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-w.Done()
	}
	ents, err := os.ReadDir(dir.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("socket directory holds %q; want only the live worker's", names)
	}
	if _, err := os.Stat(filepath.Join(dir.Path(), ents[0].Name())); err != nil {
		t.Fatal(err)
	}
	if err := live.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir.Path()); len(ents) != 0 {
		t.Errorf("%d entries left after the last worker stopped", len(ents))
	}
}

// shortTempDir is a temporary directory with a short path: a Unix socket's
// path must fit in 108 bytes, and t.TempDir's are long.
func shortTempDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "pt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}
