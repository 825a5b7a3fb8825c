package supervisor

import "context"

// spareUp starts the warm spares, once: on the first task submitted, so
// that they do not compete with the first workers' start.
func (s *Supervisor) spareUp() {
	if s.cfg.Spares == 0 {
		return
	}
	s.spareOnce.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.isStopping() {
			return
		}
		for range s.cfg.Spares {
			s.wg.Go(s.keepSpare)
		}
	})
}

// keepSpare keeps one warm worker process ready until the supervisor
// stops: a dead worker's replacement is then ready as soon as the death is
// noticed, instead of after a spawn and a handshake.
func (s *Supervisor) keepSpare() {
	// A spare's start ends with the supervisor's stopping, not only with
	// its being forced down: a Stop right after the first tasks (a run of
	// one tiny task) used to wait for the spare to finish starting.
	ctx, cancel := context.WithCancel(s.forceCtx)
	defer cancel()
	go func() {
		select {
		case <-s.stopping:
			cancel()
		case <-ctx.Done():
		}
	}()
	failures := 0
	for !s.isStopping() {
		inst, err := s.start(ctx, 0)
		if err != nil {
			failures++
			s.cfg.Logger.Warn("spare worker failed to start", "err", err)
			if !s.sleep(backoff(failures+1, s.cfg.BackoffMin, s.cfg.BackoffMax, s.jitter)) {
				return
			}
			continue
		}
		failures = 0
		select {
		case s.spares <- inst:
		case <-inst.Done(): // it died waiting; start another
			s.stopInstance(inst)
		case <-s.stopping:
			// It never served: nothing to finish gently, and a stop
			// should not wait for a go-plugin shutdown it does not need.
			_ = inst.Kill()
			s.stopInstance(inst)
			return
		}
	}
}

// takeSpare hands a ready spare to worker id, if this is a replacement and
// one is waiting.
func (s *Supervisor) takeSpare(id int, replacing bool) (instance, bool) {
	if !replacing || s.cfg.Spares == 0 {
		return nil, false
	}
	select {
	case inst := <-s.spares:
		if isDone(inst.Done()) { // killed while it waited
			s.stopInstance(inst)
			return nil, false
		}
		if w, ok := inst.(interface{ SetID(int) }); ok {
			w.SetID(id) // its log lines say which worker it now is
		}
		return inst, true
	default:
		return nil, false
	}
}
