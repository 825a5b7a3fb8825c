package process

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// progressSize is the record's mapping: one page, the least mmap maps.
var progressSize = os.Getpagesize()

// newProgressMap makes a worker's progress record: a memfd of one page,
// mapped shared. Where memfd_create is missing (Linux before 3.17) there
// is none, and Answer reports ProgressUnknown.
func newProgressMap() (*progressMap, error) {
	fd, err := unix.MemfdCreate("supervisor-progress", unix.MFD_CLOEXEC)
	if err == unix.ENOSYS {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("progress record: %w", os.NewSyscallError("memfd_create", err))
	}
	f := os.NewFile(uintptr(fd), "supervisor-progress")
	mem, err := mapProgress(fd)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &progressMap{f: f, mem: mem, rec: recordAt(mem)}, nil
}

func mapProgress(fd int) ([]byte, error) {
	if err := unix.Ftruncate(fd, int64(progressSize)); err != nil {
		return nil, fmt.Errorf("progress record: %w", os.NewSyscallError("ftruncate", err))
	}
	mem, err := unix.Mmap(fd, 0, progressSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("progress record: %w", os.NewSyscallError("mmap", err))
	}
	return mem, nil
}

// recordAt lays the record over mem, which is page-aligned and so aligned
// for the atomics.
func recordAt(mem []byte) *progressRecord {
	return (*progressRecord)(unsafe.Pointer(&mem[0]))
}

// close unmaps the record; it must not be read after.
func (p *progressMap) close() {
	if p == nil || p.mem == nil {
		return
	}
	p.f.Close() // normally closed after spawn already
	_ = unix.Munmap(p.mem)
	p.mem, p.rec = nil, nil
}

// openProgress maps the record the host handed the worker at progressFD,
// and closes the descriptor (the mapping stays): no task's child inherits
// it. Without one, the record is local and goes nowhere.
func openProgress() *progressRecord {
	if os.Getenv(envProgress) == "" {
		return localProgress()
	}
	mem, err := unix.Mmap(progressFD, 0, progressSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	unix.Close(progressFD)
	if err != nil {
		return localProgress()
	}
	return recordAt(mem)
}
