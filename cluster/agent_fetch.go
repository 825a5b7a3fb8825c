package cluster

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// fetchWait bounds one pull request: how long an idle agent waits for tasks
// before asking again. Tasks published meanwhile are delivered at once.
const fetchWait = 500 * time.Millisecond

// fetchLoop pulls as many tasks as there are idle workers, and no more:
// a task waits in JetStream, where any agent may take it, rather than
// behind a busy worker here; and only tasks that run are blamed when a
// worker dies. It returns when ctx ends or the pool stops.
func (a *Agent) fetchLoop(ctx context.Context) {
	retry := newBackoff(50*time.Millisecond, 2*time.Second)
	for {
		n := a.takeSlots(ctx)
		if n == 0 {
			return
		}
		if !a.link.ok() {
			// Fenced: a pull would fail, and a task taken now could not be
			// heart-beaten.
			a.giveSlots(n)
			if !a.link.wait(ctx, a.pool.Done()) {
				return
			}
			continue
		}
		got, err := a.fetch(n)
		a.giveSlots(n - got)
		if err != nil {
			a.log.Warn("fetch failed", "err", err)
			if !retry.wait(ctx, a.pool.Done()) {
				return
			}
			continue
		}
		retry.reset()
	}
}

// fetch pulls up to n tasks and starts each as it arrives; it returns how
// many it started, each holding one slot.
func (a *Agent) fetch(n int) (int, error) {
	batch, err := a.h.cons.Fetch(n, jetstream.FetchMaxWait(fetchWait))
	if err != nil {
		return 0, err
	}
	got := 0
	for m := range batch.Messages() {
		got++
		a.wg.Go(func() {
			var once sync.Once
			free := func() { once.Do(func() { a.giveSlots(1) }) }
			defer free()
			a.handle(m, free)
		})
	}
	if err := batch.Error(); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, jetstream.ErrNoMessages) {
		return got, err
	}
	return got, nil
}

// takeSlots waits for one idle worker and takes every other idle one too.
// It returns 0 when ctx ends or the pool stops.
func (a *Agent) takeSlots(ctx context.Context) int {
	select {
	case <-a.slots:
	case <-ctx.Done():
		return 0
	case <-a.pool.Done():
		return 0
	}
	n := 1
	for {
		select {
		case <-a.slots:
			n++
		default:
			return n
		}
	}
}

func (a *Agent) giveSlots(n int) {
	for range n {
		a.slots <- struct{}{}
	}
}

// A backoff is a doubling delay for retries against a server that is away.
type backoff struct {
	min, max, next time.Duration
}

func newBackoff(min, max time.Duration) *backoff { return &backoff{min: min, max: max, next: min} }

func (b *backoff) reset() { b.next = b.min }

// wait waits out the delay; false if ctx ended or stop closed first.
func (b *backoff) wait(ctx context.Context, stop <-chan struct{}) bool {
	t := time.NewTimer(b.next)
	defer t.Stop()
	b.next = min(2*b.next, b.max)
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-stop:
		return false
	}
}
