package process

import (
	"bufio"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

// serveGuard is the guard process's main (see Guard): it keeps the set of
// registered process groups until its pipe from the supervisor reads EOF,
// then kills every group still in it.
func serveGuard() error {
	// A hangup or an interrupt meant for the supervisor's terminal must
	// not end the guard before the supervisor has.
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT)
	closeStrayFDs(guardFD)
	in := os.NewFile(guardFD, "supervisor-guard")
	groups := map[int]struct{}{}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		op, pgid := parseGuardMessage(sc.Bytes())
		switch op {
		case '+':
			groups[pgid] = struct{}{}
		case '-':
			delete(groups, pgid)
		}
	}
	for pgid := range groups {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
	return nil
}

// parseGuardMessage reads "+PGID" or "-PGID"; op is 0 for anything else.
// A group of 1 or less is refused: kill(-1) would signal every process.
func parseGuardMessage(m []byte) (op byte, pgid int) {
	if len(m) < 2 || m[0] != '+' && m[0] != '-' {
		return 0, 0
	}
	n, err := strconv.Atoi(string(m[1:]))
	if err != nil || n <= 1 {
		return 0, 0
	}
	return m[0], n
}
