package control

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCloseRemovesTheEmptyDir: the per-user directory made for the socket
// goes with it when nothing else is in it (issue 9: "nothing of ours is
// left in $TMPDIR or the control socket directory"); it stays while
// something else is there, and a --control path's directory always stays.
func TestCloseRemovesTheEmptyDir(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	srv, err := Bind("")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(Dir()); !os.IsNotExist(err) {
		t.Errorf("%s left after Close (%v)", Dir(), err)
	}

	srv, err = Bind("")
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(Dir(), "other")
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_ = srv.Close()
	if _, err := os.Stat(other); err != nil {
		t.Errorf("Close took %s with it: %v", other, err)
	}

	dir := t.TempDir()
	srv, err = Bind(filepath.Join(dir, "c.sock"))
	if err != nil {
		t.Fatal(err)
	}
	_ = srv.Close()
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("Close removed the directory of a --control path: %v", err)
	}
}
