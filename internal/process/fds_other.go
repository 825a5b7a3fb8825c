//go:build unix && !linux

package process

import "syscall"

// dupCloexec makes newfd a copy of oldfd, close-on-exec.
func dupCloexec(oldfd, newfd int) {
	if syscall.Dup2(oldfd, newfd) == nil {
		syscall.CloseOnExec(newfd)
	}
}

// closeStrayFDs does nothing outside Linux, where there is no /proc/self/fd
// to list what was inherited.
func closeStrayFDs(...int) {}
