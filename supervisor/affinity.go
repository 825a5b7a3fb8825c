package supervisor

import "fmt"

// pin applies Config.CPUAffinity to a worker process about to serve slot
// id: worker N goes to the N-th allowed CPU, round robin.
func (s *Supervisor) pin(id int, inst instance) error {
	p, ok := inst.(pinner)
	if !s.cfg.CPUAffinity || !ok {
		return nil
	}
	cpus, err := allowedCPUs()
	if err != nil || len(cpus) == 0 {
		return fmt.Errorf("cpu affinity: %w", err)
	}
	return p.Pin(cpus[(id-1)%len(cpus)])
}

// A pinner is a worker that can be bound to one CPU: a worker process.
type pinner interface{ Pin(cpu int) error }
