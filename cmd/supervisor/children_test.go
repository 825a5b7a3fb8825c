package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// A childWatch follows the children of a process through /proc. It reads
// the parent of each process once, when it first sees it: a full scan of
// the process table at every look is too slow, on a loaded machine, to
// catch a worker before its handshake or to kill every 20–50 ms.
type childWatch struct {
	parent int
	seen   map[int]bool
	kids   map[int]bool
}

func newChildWatch(parent int) *childWatch {
	return &childWatch{parent: parent, seen: map[int]bool{}, kids: map[int]bool{}}
}

// scan returns the children of the parent born since the last scan, and
// forgets those that have gone.
func (w *childWatch) scan() []int {
	entries, _ := os.ReadDir("/proc")
	var born []int
	here := make(map[int]bool, len(entries))
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		here[pid] = true
		if w.seen[pid] {
			continue
		}
		w.seen[pid] = true
		if ppid(pid) == w.parent {
			w.kids[pid] = true
			born = append(born, pid)
		}
	}
	for pid := range w.kids {
		if !here[pid] {
			delete(w.kids, pid)
		}
	}
	return born
}

// live returns the parent's children alive now (not zombies): its worker
// processes, spares included, and its guard apart (0 when there is none).
func (w *childWatch) live() (workers []int, guard int) {
	w.scan()
	for pid := range w.kids {
		switch {
		case !alive(pid):
		case isGuard(pid):
			guard = pid
		default:
			workers = append(workers, pid)
		}
	}
	return workers, guard
}

// isGuard reports whether pid is a supervisor's guard process. A child
// caught between fork and exec still has its parent's environment: it is
// taken for a worker, which is what most such children are.
func isGuard(pid int) bool {
	env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	return err == nil && bytes.Contains(append([]byte{0}, env...), []byte("\x00SUPERVISOR_GUARD=1\x00"))
}
