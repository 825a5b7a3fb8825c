//go:build unix

package supervisor

import (
	"errors"
	"syscall"
)

// alive reports whether a process exists (a zombie counts as gone for us:
// the supervisor reaps its workers, so none should be left).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
