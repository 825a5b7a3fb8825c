package limits

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
)

const rlimitNProc = 6 // RLIMIT_NPROC on Linux

// ownThreads is how many threads this process runs.
func ownThreads() int {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0
	}
	return len(entries)
}

// userThreads counts the threads of every process whose real uid is uid:
// what the kernel compares with RLIMIT_NPROC when a thread or process is
// created.
func userThreads(uid int) int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	total := 0
	for _, d := range dirs {
		if owner, n := status(d); owner == uid {
			total += n
		}
	}
	return total
}

// status reads a process's real uid and thread count; -1 and 0 when it
// has gone meanwhile.
func status(dir string) (uid, threads int) {
	f, err := os.Open(filepath.Join(dir, "status"))
	if err != nil {
		return -1, 0
	}
	defer f.Close()
	uid = -1
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		if v, ok := bytes.CutPrefix(line, []byte("Uid:")); ok {
			if f := bytes.Fields(v); len(f) > 0 {
				uid, _ = strconv.Atoi(string(f[0]))
			}
		} else if v, ok := bytes.CutPrefix(line, []byte("Threads:")); ok {
			threads, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
			return uid, threads // Threads comes after Uid
		}
	}
	return -1, 0
}
