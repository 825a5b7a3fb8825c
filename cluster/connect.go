package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
)

// A Conn is a connection to NATS: what agents and executors talk over.
// Programs that use this package need not import NATS themselves.
type Conn = nats.Conn

// Connect connects to the NATS servers at url (comma-separated for several)
// as name, reconnecting for as long as it is open. pingInterval, if not 0,
// is how often it checks the link: two pings unanswered and it reconnects.
func Connect(url, name string, pingInterval time.Duration) (*nats.Conn, error) {
	// Retrying a failed first connect too: servers of a cluster starting
	// together may not listen yet.
	opts := []nats.Option{nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(250 * time.Millisecond),
		nats.RetryOnFailedConnect(true)}
	if pingInterval > 0 {
		opts = append(opts, nats.PingInterval(pingInterval), nats.MaxPingsOutstanding(2))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", url, err)
	}
	return nc, nil
}

// AwaitAgents listens for agents announcing themselves on nc, calls start
// (which starts them), and returns once n distinct agents are ready, or with
// ctx's error.
func AwaitAgents(ctx context.Context, nc *nats.Conn, n int, start func() error) ([]AgentHello, error) {
	ch := make(chan *nats.Msg, 64)
	sub, err := nc.ChanSubscribe(subjectHello, ch)
	if err != nil {
		return nil, err
	}
	defer func() { _ = sub.Unsubscribe() }()
	if err := nc.Flush(); err != nil {
		return nil, err
	}
	if err := start(); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []AgentHello
	for len(out) < n {
		select {
		case m := <-ch:
			var h AgentHello
			if json.Unmarshal(m.Data, &h) == nil && !seen[h.Name] {
				seen[h.Name] = true
				out = append(out, h)
			}
		case <-ctx.Done():
			return out, fmt.Errorf("%d of %d agents ready: %w", len(out), n, context.Cause(ctx))
		}
	}
	return out, nil
}
