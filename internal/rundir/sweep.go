package rundir

import (
	"fmt"
	"os"
	"path/filepath"
)

// Sweep removes the directories in parent whose owner process is dead, and
// returns their paths. It looks only at entries named as [Create] names
// them that are directories (not symbolic links) owned by this user; a
// directory whose owner cannot be told dead is kept. parent must be a
// directory Create made (base/supervisor-<uid>): Sweep checks it as Create
// does.
func Sweep(parent string) ([]string, error) {
	if err := checkPrivate(parent); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil, fmt.Errorf("sweep run directories: %w", err)
	}
	var removed []string
	for _, e := range entries {
		o, ok := parseName(e.Name())
		if !ok || !e.IsDir() || e.Type()&os.ModeSymlink != 0 {
			continue
		}
		path := filepath.Join(parent, e.Name())
		if fi, err := os.Lstat(path); err != nil || !fi.IsDir() || !ownedByUs(fi) {
			continue
		}
		if alive(o) {
			continue
		}
		if err := os.RemoveAll(path); err == nil {
			removed = append(removed, path)
		}
	}
	return removed, nil
}
