//go:build !linux

package process

import "errors"

// ErrNoAffinity is returned where CPU affinity is not supported.
var ErrNoAffinity = errors.New("CPU affinity needs Linux (sched_setaffinity)")

// Pin is not supported outside Linux.
func (w *Worker) Pin(int) error { return ErrNoAffinity }

// AllowedCPUs is not supported outside Linux.
func AllowedCPUs() ([]int, error) { return nil, ErrNoAffinity }
