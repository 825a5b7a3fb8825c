package process

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// dupCloexec makes newfd a copy of oldfd, close-on-exec.
func dupCloexec(oldfd, newfd int) { _ = unix.Dup3(oldfd, newfd, unix.O_CLOEXEC) }

// closeStrayFDs closes the descriptors this process inherited and has no
// use for: a worker starts with the ones it needs (0, 1, 2 and keep), and
// whatever else the supervisor's process had open without close-on-exec
// (its own inheritance, a library's careless open) would otherwise stay
// open in every worker and in every child of its tasks. Descriptors the Go
// runtime opened in this process are all close-on-exec, so what is not
// close-on-exec here, beyond stdio and keep, was inherited. It must run
// before this process opens anything itself without close-on-exec.
func closeStrayFDs(keep ...int) {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
next:
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 2 {
			continue
		}
		for _, k := range keep {
			if fd == k {
				continue next
			}
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err == nil && flags&unix.FD_CLOEXEC == 0 {
			unix.Close(fd)
		}
	}
}
