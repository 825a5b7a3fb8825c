package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A lease keeps a run alive: its client publishes the run's lease message
// every third of the lease, each replacing the last, and agents drop the
// tasks of a run whose message has aged out. So a client that dies leaves
// no task running for long.
type lease struct {
	js      jetstream.JetStream
	subject string
	every   time.Duration
	log     *slog.Logger
	stop    chan struct{}
	stopped sync.WaitGroup
	once    sync.Once
}

// startLease takes the run's lease, and keeps it until end.
func startLease(ctx context.Context, js jetstream.JetStream, run string, d time.Duration, log *slog.Logger) (*lease, error) {
	l := &lease{js: js, subject: subjectRuns + run, every: d / 3, log: log, stop: make(chan struct{})}
	if _, err := js.Publish(ctx, l.subject, nil); err != nil {
		return nil, fmt.Errorf("take the run's lease: %w", err)
	}
	l.stopped.Go(l.keep)
	return l, nil
}

func (l *lease) keep() {
	t := time.NewTicker(l.every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), l.every)
		if _, err := l.js.Publish(ctx, l.subject, nil); err != nil {
			l.log.Warn("run lease not renewed", "err", err)
		}
		cancel()
	}
}

// end stops renewing the lease and tells agents the run is over, so they
// drop its tasks at once rather than when it ages out. Safe to call twice.
func (l *lease) end() {
	l.once.Do(func() {
		close(l.stop)
		l.stopped.Wait()
		m := nats.NewMsg(l.subject)
		m.Header.Set(hdrRunState, runEnded)
		ctx, cancel := context.WithTimeout(context.Background(), l.every)
		defer cancel()
		_, _ = l.js.PublishMsg(ctx, m)
	})
}
