package process

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// Pin restricts every thread of the worker process to cpu. Threads the
// worker starts later inherit the mask from the thread that starts them.
// sched_setaffinity acts on one thread, so each in /proc/<pid>/task is
// set; a thread that exits meanwhile is skipped.
func (w *Worker) Pin(cpu int) error {
	var set unix.CPUSet
	set.Set(cpu)
	tids, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", w.pid))
	if err != nil || len(tids) == 0 {
		return fmt.Errorf("pin worker %d: no threads found: %v", w.pid, err)
	}
	for _, t := range tids {
		tid, _ := strconv.Atoi(filepath.Base(t))
		if err := unix.SchedSetaffinity(tid, &set); err != nil && err != unix.ESRCH {
			return fmt.Errorf("pin worker %d to CPU %d: %w", w.pid, cpu, os.NewSyscallError("sched_setaffinity", err))
		}
	}
	return nil
}

// AllowedCPUs lists the CPUs this process may run on, in order.
func AllowedCPUs() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, err
	}
	var cpus []int
	for i := range 1024 {
		if set.IsSet(i) {
			cpus = append(cpus, i)
		}
	}
	return cpus, nil
}
