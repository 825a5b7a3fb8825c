package bench

import (
	"time"

	"golang.org/x/sys/unix"
)

// cpuTime is the CPU time used so far by this process and the processes
// pids, to the nanosecond: the kernel's scheduler clock of each, read with
// clock_gettime on the process's CPU-time clock (clock_getcpuclockid),
// rather than the 10 ms ticks of /proc/PID/stat. A process that is gone
// counts nothing.
func cpuTime(pids ...int) time.Duration {
	var total time.Duration
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts) == nil {
		total += time.Duration(ts.Nano())
	}
	for _, pid := range pids {
		if pid <= 0 {
			continue
		}
		// The kernel's CPU clock of a whole process: (~pid << 3) | CPUCLOCK_SCHED.
		clock := int32((^pid)<<3 | 2)
		if unix.ClockGettime(clock, &ts) == nil {
			total += time.Duration(ts.Nano())
		}
	}
	return total
}

// perTask is CPU time d spread over n tasks, in ns.
func perTask(d time.Duration, n int) float64 {
	if n <= 0 {
		return 0
	}
	return float64(d.Nanoseconds()) / float64(n)
}
