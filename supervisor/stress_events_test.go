//go:build unix

package supervisor

import (
	"errors"
	"fmt"
	"sync"
)

// An eventLog keeps what the stress checks need from a run's events: how
// many results each task id got, and why tasks were retried.
type eventLog struct {
	mu       sync.Mutex
	finished map[uint64]int
	statuses map[Status]int
	badRetry []string // retries for a reason other than a worker's death or a kill
}

// event is the pool's OnEvent: cheap, never blocking for long.
func (l *eventLog) event(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch e := e.(type) {
	case TaskFinished:
		if l.finished == nil {
			l.finished, l.statuses = map[uint64]int{}, map[Status]int{}
		}
		l.finished[e.Result.ID]++
		l.statuses[e.Result.Status]++
	case TaskRetried:
		// A task is run again only when its worker died or was killed on
		// request; never for its own error.
		var we *WorkerError
		if !errors.As(e.Err, &we) && !errors.Is(e.Err, ErrKilled) && !errors.Is(e.Err, ErrAbandoned) {
			l.badRetry = append(l.badRetry, fmt.Sprintf("task %d (%s) retried after %v", e.TaskID, e.Task, e.Err))
		}
	}
}

// results returns, under the lock, a copy of the results per id and per
// status, and the bad retries.
func (l *eventLog) results() (map[uint64]int, map[Status]int, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	byID := make(map[uint64]int, len(l.finished))
	for id, n := range l.finished {
		byID[id] = n
	}
	bySt := map[Status]int{}
	for st, n := range l.statuses {
		bySt[st] = n
	}
	return byID, bySt, append([]string(nil), l.badRetry...)
}
