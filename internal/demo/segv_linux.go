package demo

import (
	"syscall"
	"unsafe"
)

// kernelSigaction is the kernel's struct sigaction on Linux.
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// restoreDefaultSIGSEGV sets SIGSEGV back to SIG_DFL, so the next fault
// kills the process with the signal instead of entering the Go runtime's
// handler. signal.Reset cannot do this: it only undoes signal.Notify.
func restoreDefaultSIGSEGV() {
	var act kernelSigaction // handler 0 is SIG_DFL
	syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(syscall.SIGSEGV),
		uintptr(unsafe.Pointer(&act)), 0, unsafe.Sizeof(act.mask), 0, 0)
}
