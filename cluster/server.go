package cluster

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// ServerConfig configures an embedded NATS server with JetStream. StoreDir
// is required; the zero value of every other field is a documented default.
type ServerConfig struct {
	// Name is the server's name in its cluster. Default: the host name.
	Name string
	// Listen is the host:port clients connect to. Empty: no listener, and
	// only in-process connections (Connect); port 0: a free port.
	Listen string
	// Peers are the route addresses (host:port) of every member of a
	// JetStream cluster, this one included; empty for a single server. A
	// cluster needs three members or more to survive the loss of one.
	Peers []string
	// ClusterListen is the host:port this member takes routes on. Default
	// 0.0.0.0 and the port of the first peer.
	ClusterListen string
	// StoreDir is where JetStream keeps its streams.
	StoreDir string
	// PingInterval is how often the server pings clients and routes; two
	// unanswered pings close the connection. Default 2s: a dead peer is seen
	// within seconds, not the minutes of NATS's own default.
	PingInterval time.Duration
	// MaxPayload is the largest message, in bytes. Default 8 MiB (NATS's
	// own default is 1 MB).
	MaxPayload int32
	// Logger receives the server's notices, warnings and errors. Default:
	// discard.
	Logger *slog.Logger
}

// Defaults for the zero values of ServerConfig.
const (
	DefaultPingInterval = 2 * time.Second
	DefaultMaxPayload   = 8 << 20
	clusterName         = "supervisor"
	serverReadyTimeout  = 10 * time.Second
)

// A Server is an embedded NATS server with JetStream, which syncs every
// write to disk before acknowledging it (see docs/cluster.md, Durability).
type Server struct {
	ns       *server.Server
	replicas int
	listens  bool
}

// StartServer starts an embedded server and returns once it accepts
// connections. A cluster member's JetStream becomes usable only once a
// majority of its peers are up; NewAgent waits for that.
func StartServer(cfg ServerConfig) (*Server, error) {
	opts, err := cfg.options()
	if err != nil {
		return nil, err
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats server: %w", err)
	}
	if cfg.Logger != nil {
		ns.SetLoggerV2(slogAdapter{cfg.Logger}, false, false, false)
	}
	ns.Start()
	if !ns.ReadyForConnections(serverReadyTimeout) {
		ns.Shutdown()
		return nil, errors.New("nats server not ready within 10s")
	}
	return &Server{ns: ns, replicas: replicasFor(len(cfg.Peers)), listens: !opts.DontListen}, nil
}

func (c ServerConfig) options() (*server.Options, error) {
	if c.StoreDir == "" {
		return nil, fmt.Errorf("%w: the server needs a store directory", ErrConfig)
	}
	o := &server.Options{
		ServerName: c.Name, JetStream: true, StoreDir: c.StoreDir,
		// Sync before acknowledging: the lazy default (every 2 minutes)
		// loses acknowledged writes on power loss (Jepsen, NATS 2.12.1).
		SyncAlways:   true,
		PingInterval: positive(c.PingInterval, DefaultPingInterval), MaxPingsOut: 2,
		MaxPayload: positive(c.MaxPayload, DefaultMaxPayload),
		NoSigs:     true,
	}
	if o.ServerName == "" {
		o.ServerName, _ = os.Hostname()
	}
	o.DontListen = c.Listen == ""
	if !o.DontListen {
		host, port, err := splitHostPort(c.Listen)
		if err != nil {
			return nil, fmt.Errorf("%w: listen address: %w", ErrConfig, err)
		}
		o.Host, o.Port = host, port
		if port == 0 {
			o.Port = server.RANDOM_PORT
		}
	}
	return o, c.cluster(o)
}

// cluster sets up o as a member of a JetStream cluster of c.Peers.
func (c ServerConfig) cluster(o *server.Options) error {
	if len(c.Peers) == 0 {
		return nil
	}
	listen := c.ClusterListen
	if listen == "" {
		_, port, err := net.SplitHostPort(c.Peers[0])
		if err != nil {
			return fmt.Errorf("%w: peer %q: %w", ErrConfig, c.Peers[0], err)
		}
		listen = net.JoinHostPort("0.0.0.0", port)
	}
	host, port, err := splitHostPort(listen)
	if err != nil {
		return fmt.Errorf("%w: cluster listen address: %w", ErrConfig, err)
	}
	o.Cluster = server.ClusterOpts{Name: clusterName, Host: host, Port: port,
		PingInterval: o.PingInterval, MaxPingsOut: 2}
	for _, p := range c.Peers {
		if _, _, err := splitHostPort(p); err != nil {
			return fmt.Errorf("%w: peer %q: %w", ErrConfig, p, err)
		}
		o.Routes = append(o.Routes, &url.URL{Scheme: "nats", Host: p})
	}
	return nil
}

func splitHostPort(s string) (string, int, error) {
	host, p, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad port in %q", s)
	}
	return host, port, nil
}

// replicasFor is how many copies of each stream a cluster of n members
// keeps: three once there are three, so one member may be lost.
func replicasFor(peers int) int { return min(max(peers, 1), 3) }

// Replicas is how many copies of each stream this server's cluster should
// keep: 1 alone, 3 in a cluster of three members or more.
func (s *Server) Replicas() int { return s.replicas }

// ClientURL is the URL clients connect to; empty without a listener.
func (s *Server) ClientURL() string {
	if !s.listens {
		return ""
	}
	return s.ns.ClientURL()
}

// Connect opens an in-process connection to the server, without a socket.
func (s *Server) Connect(opts ...nats.Option) (*nats.Conn, error) {
	opts = append([]nats.Option{nats.InProcessServer(s.ns), nats.MaxReconnects(-1)}, opts...)
	return nats.Connect("", opts...)
}

// Shutdown stops the server and waits until it has.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}

// slogAdapter gives the server's log lines to a slog.Logger.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Noticef(format string, v ...any) { a.l.Info("nats: " + fmt.Sprintf(format, v...)) }
func (a slogAdapter) Warnf(format string, v ...any)   { a.l.Warn("nats: " + fmt.Sprintf(format, v...)) }
func (a slogAdapter) Fatalf(format string, v ...any)  { a.l.Error("nats: " + fmt.Sprintf(format, v...)) }
func (a slogAdapter) Errorf(format string, v ...any)  { a.l.Error("nats: " + fmt.Sprintf(format, v...)) }
func (a slogAdapter) Debugf(format string, v ...any)  { a.l.Debug("nats: " + fmt.Sprintf(format, v...)) }
func (a slogAdapter) Tracef(format string, v ...any)  { a.l.Debug("nats: " + fmt.Sprintf(format, v...)) }
