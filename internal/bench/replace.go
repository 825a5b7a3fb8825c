package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// Replace is how soon a killed worker's replacement is ready. In process
// mode the worker is SIGKILLed, idle, and replaced by a warm spare
// ("warm") or a fresh process ("cold", Config.Spares -1). A goroutine
// cannot be killed: in thread mode ("abandoned") the kill cancels a task
// that ignores cancellation, and its goroutine is abandoned after the
// grace and replaced.
type Replace struct {
	caseFields
	Spare string `json:"spare"` // warm, cold or abandoned
	Kills int    `json:"kills"`
	// Ready is the WorkerStarted event's Ready: from the old worker's end,
	// as the supervisor saw it, to the new one ready.
	Ready Dist `json:"ready"`
	// KillToReady is from the Kill call to that event: it adds the time
	// the death takes to be seen (and, in thread mode, the grace).
	KillToReady Dist `json:"kill_to_ready"`
	// FromSpare is how many replacements a warm spare made; a spare still
	// starting when the kill came makes a cold replacement.
	FromSpare int `json:"from_spare"`
	// ReadyP50 is Ready's p50 over the rounds.
	ReadyP50 *Spread `json:"ready_p50_spread,omitempty"`
	GraceNs  int64   `json:"grace_ns,omitempty"` // thread mode's grace before abandoning
}

// respawnPause is how long the pool rests before each kill, so that the
// warm spare taken by the last replacement has been replaced too.
func respawnPause(o Options) time.Duration {
	if o.Quick {
		return 60 * time.Millisecond
	}
	return 150 * time.Millisecond
}

// threadGrace is the grace before a goroutine that ignores cancellation is
// abandoned, kept short here: it is not what is being measured.
const threadGrace = 10 * time.Millisecond

// replacement is one WorkerStarted{Replacing: true} and when it came.
type replacement struct {
	ev supervisor.WorkerStarted
	at time.Time
}

func measureReplace(ctx context.Context, o Options, r *Report) error {
	for _, c := range o.cases() {
		kinds := []string{"warm", "cold"}
		if c.Mode == supervisor.ModeThread {
			kinds = []string{"abandoned"}
		}
		for _, kind := range kinds {
			o.progress("replace %s (%s): %d kills", c, kind, o.Kills)
			rep, err := replacements(ctx, o, c, kind)
			if err != nil {
				return err
			}
			r.Replace = append(r.Replace, rep)
		}
	}
	return nil
}

func replacements(ctx context.Context, o Options, c Case, kind string) (Replace, error) {
	rep := Replace{caseFields: fieldsOf(c), Spare: kind, Kills: o.Kills}
	events := make(chan replacement, o.Kills)
	cfg := supervisor.Config{Workers: 1, Retries: -1, OnEvent: func(e supervisor.Event) {
		if ws, ok := e.(supervisor.WorkerStarted); ok && ws.Replacing {
			select {
			case events <- replacement{ev: ws, at: time.Now()}:
			default:
			}
		}
	}}
	switch kind {
	case "warm":
		cfg.Spares = 1
	case "abandoned":
		cfg.Grace = threadGrace
		rep.GraceNs = int64(threadGrace)
	}
	s, err := o.newPool(c, cfg)
	if err != nil {
		return rep, err
	}
	defer stop(s)
	if kind == "warm" {
		// A spare starts on the first task submitted (so that it does not
		// compete with the first workers' start): without one, the "warm"
		// kills were all cold (0 of 20 replacements made by a spare).
		if err := warm(ctx, s, 1); err != nil {
			return rep, fmt.Errorf("replace %s: %w", c, err)
		}
	}
	var ready, killToReady []time.Duration
	for range o.Kills {
		killed, err := killOne(ctx, o, s, kind)
		if err != nil {
			return rep, fmt.Errorf("replace %s: %w", c, err)
		}
		select {
		case got := <-events:
			ready, killToReady = append(ready, got.ev.Ready), append(killToReady, got.at.Sub(killed))
			if got.ev.Spare {
				rep.FromSpare++
			}
		case <-time.After(10 * time.Second):
			return rep, fmt.Errorf("replace %s: no replacement within 10s of the kill", c)
		}
	}
	rep.Ready, rep.KillToReady = distOf(ready), distOf(killToReady)
	return rep, nil
}

// killOne kills worker 1 and returns when it did. In thread mode it first
// gives the worker a task that ignores cancellation.
func killOne(ctx context.Context, o Options, s *supervisor.Supervisor, kind string) (time.Time, error) {
	time.Sleep(respawnPause(o))
	if kind == "abandoned" {
		s.Submit(ctx, worker.Task{Name: "hang"})
		if err := awaitBusy(s); err != nil {
			return time.Time{}, err
		}
	}
	killed := time.Now()
	return killed, s.Kill(1)
}

// awaitBusy waits for worker 1 to take its task.
func awaitBusy(s *supervisor.Supervisor) error {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if ws := s.Stats().Workers; len(ws) > 0 && ws[0].State == supervisor.StateBusy {
			return nil
		}
		time.Sleep(100 * time.Microsecond)
	}
	return fmt.Errorf("worker 1 did not take its task within 5s")
}
