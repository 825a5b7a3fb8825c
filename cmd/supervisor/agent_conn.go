package main

import (
	"log/slog"
	"os"

	"github.com/procpool/supervisor/cluster"
)

// An agentConnection is an agent's way to JetStream: a connection to a
// server elsewhere, or to a cluster member it embeds.
type agentConnection struct {
	nc       *cluster.Conn
	srv      *cluster.Server // the embedded member, if any
	where    string
	replicas int
}

// agentConn starts the embedded member if asked to, and connects.
func agentConn(o *agentOptions, log *slog.Logger) (*agentConnection, error) {
	c := &agentConnection{replicas: 1}
	if len(o.peers) > 0 {
		if err := os.MkdirAll(o.store, 0o700); err != nil {
			return nil, err
		}
		srv, err := cluster.StartServer(cluster.ServerConfig{Name: o.name, Listen: o.listen, Peers: o.peers,
			ClusterListen: o.routes, StoreDir: o.store, PingInterval: o.ping, Logger: log})
		if err != nil {
			return nil, err
		}
		c.srv, c.replicas, c.where = srv, srv.Replicas(), "embedded member "+srv.ClientURL()
	}
	var err error
	switch {
	case o.nats != "":
		c.where = o.nats
		c.nc, err = cluster.Connect(o.nats, "supervisor agent "+o.name, o.ping)
	default:
		c.nc, err = c.srv.Connect()
	}
	if err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

func (c *agentConnection) close() {
	if c.nc != nil {
		c.nc.Close()
	}
	if c.srv != nil {
		c.srv.Shutdown()
	}
}
