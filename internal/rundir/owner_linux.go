package rundir

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
)

// selfOwner is this process, with its start time.
func selfOwner() (owner, error) {
	pid := os.Getpid()
	start, err := startTime(pid)
	if err != nil {
		return owner{}, err
	}
	return owner{pid: pid, start: start}, nil
}

// alive reports whether o still runs: a process with o's PID exists and
// started when o did. A process that got o's PID later has a later start
// time. An unreadable /proc counts as alive: nothing is removed on a
// guess.
func alive(o owner) bool {
	start, err := startTime(o.pid)
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	return err != nil || start == o.start
}

// startTime reads field 22 of /proc/<pid>/stat: when the process started,
// in clock ticks since boot. The command name (field 2) may hold spaces
// and parentheses, so fields are counted from the last ')'.
func startTime(pid int) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("rundir: bad /proc/%d/stat", pid)
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3 (state), so field 22 is f[19].
	if len(f) < 20 {
		return 0, fmt.Errorf("rundir: short /proc/%d/stat", pid)
	}
	return strconv.ParseUint(string(f[19]), 10, 64)
}
