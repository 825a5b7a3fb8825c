//go:build unix

package control

import (
	"errors"
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

// pidAlive reports whether a process with this PID exists. A PID reused
// by another process counts as alive: the sweep then leaves a stale
// socket for later rather than risk removing a live one.
func pidAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
