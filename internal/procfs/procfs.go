// Package procfs reads what the supervisor needs about a process from
// Linux's /proc: resident memory, CPU time, and the private and
// proportional memory that show what a worker process really costs.
package procfs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// ErrUnsupported is returned where /proc is not available.
var ErrUnsupported = errors.New("procfs: not supported on this system")

// clockTick is USER_HZ, the unit of CPU times in /proc/<pid>/stat. It is
// 100 on every Linux the Go runtime supports.
const clockTick = 100

// pageSize is the unit of /proc/<pid>/statm.
var pageSize = int64(os.Getpagesize())

// A Stat is a process's memory and CPU time at one moment.
type Stat struct {
	RSS int64         // resident set size, bytes
	CPU time.Duration // user + system time so far
	At  time.Time     // when it was read; set by the caller
}

// CPUPercentSince is the CPU used between prev and s, as a percentage of
// one CPU.
func (s Stat) CPUPercentSince(prev Stat) float64 {
	wall := s.At.Sub(prev.At)
	if wall <= 0 {
		return 0
	}
	return 100 * float64(s.CPU-prev.CPU) / float64(wall)
}

// Read reads pid's RSS and CPU time.
func Read(pid int) (Stat, error) {
	statm, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", pid))
	if err != nil {
		return Stat{}, err
	}
	f := bytes.Fields(statm)
	if len(f) < 2 {
		return Stat{}, fmt.Errorf("procfs: short statm for %d", pid)
	}
	pages, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		return Stat{}, fmt.Errorf("procfs: statm for %d: %w", pid, err)
	}
	cpu, err := cpuTime(pid)
	if err != nil {
		return Stat{}, err
	}
	return Stat{RSS: pages * pageSize, CPU: cpu}, nil
}

// cpuTime reads utime and stime from /proc/<pid>/stat. The command name
// (field 2) may contain spaces and parentheses, so fields are counted from
// the last ')'.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("procfs: bad stat for %d", pid)
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("procfs: short stat for %d", pid)
	}
	utime, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	stime, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("procfs: stat for %d: %w", pid, err)
	}
	return time.Duration(utime+stime) * time.Second / clockTick, nil
}

// Memory is a process's memory from /proc/<pid>/smaps_rollup, in bytes.
type Memory struct {
	RSS     int64 // resident
	Pss     int64 // proportional: shared pages divided among their sharers
	Private int64 // private clean + private dirty: what the process alone costs
}

// ReadMemory reads pid's smaps_rollup.
func ReadMemory(pid int) (Memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return Memory{}, err
	}
	var m Memory
	for line := range bytes.Lines(b) {
		f := bytes.Fields(line)
		if len(f) < 2 {
			continue
		}
		kib, err := strconv.ParseInt(string(f[1]), 10, 64)
		if err != nil {
			continue
		}
		switch string(f[0]) {
		case "Rss:":
			m.RSS = kib << 10
		case "Pss:":
			m.Pss = kib << 10
		case "Private_Clean:", "Private_Dirty:":
			m.Private += kib << 10
		}
	}
	return m, nil
}

// CPUsAllowed is the CPU affinity of pid's main thread as Linux lists it,
// e.g. "0-1" or "1" (Cpus_allowed_list in /proc/<pid>/status).
func CPUsAllowed(pid int) (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "", err
	}
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(line, []byte("Cpus_allowed_list:")); ok {
			return string(bytes.TrimSpace(v)), nil
		}
	}
	return "", fmt.Errorf("procfs: no Cpus_allowed_list for %d", pid)
}
