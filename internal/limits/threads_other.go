//go:build !linux

package limits

import "golang.org/x/sys/unix"

// Outside Linux there is no /proc to count threads in: the checks then
// see only Go's limit and a user limit with nothing in use.
const rlimitNProc = unix.RLIMIT_NPROC

func ownThreads() int         { return 0 }
func userThreads(uid int) int { return 0 }
