//go:build unix

package control

import (
	"fmt"
	"os"
	"syscall"
)

func checkOwner(fi os.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if ok && int(st.Uid) != os.Getuid() {
		return fmt.Errorf("control directory %s belongs to uid %d, not to us", fi.Name(), st.Uid)
	}
	return nil
}
