package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/procpool/supervisor/cluster"
	"github.com/procpool/supervisor/internal/units"
	"github.com/procpool/supervisor/supervisor"
)

// agentOptions are the flags of "supervisor agent".
type agentOptions struct {
	nats     string
	peers    []string
	store    string
	listen   string
	routes   string // this member's route address; default from --peers
	name     string
	ping     time.Duration
	topo     cluster.Topology
	drain    time.Duration
	pool     supervisor.Config
	logLevel string
	logFmt   string
}

func newAgentFlags(o *agentOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("supervisor agent", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.nats, "nats", "", "NATS server URL(s), comma-separated; default the embedded member with --peers")
	fs.Func("peers", "HOST:PORT,...: embed a member of this JetStream cluster (every member's route address)", func(s string) error {
		o.peers = strings.Split(s, ",")
		return nil
	})
	fs.StringVar(&o.store, "store", "", "JetStream store directory of the embedded member (required with --peers)")
	fs.StringVar(&o.listen, "listen", "0.0.0.0:4222", "client address of the embedded member")
	fs.StringVar(&o.routes, "cluster-listen", "", "route address of the embedded member (default 0.0.0.0 and the port of the first peer)")
	fs.StringVar(&o.name, "name", "", "agent name in results (default HOST-PID)")
	fs.DurationVar(&o.ping, "ping-interval", cluster.DefaultPingInterval, "how often connections are checked; two missed pings drop one")
	fs.DurationVar(&o.topo.AckWait, "ack-wait", cluster.DefaultAckWait, "lease of one delivery: heart-beaten every third, fenced after half")
	fs.IntVar(&o.topo.MaxDeliver, "max-deliver", cluster.DefaultMaxDeliver, "deliveries of one task at most (-1: no bound; see docs/cluster.md)")
	fs.Int64Var(&o.topo.MaxQueued, "max-queued", cluster.DefaultMaxQueued, "tasks queued in the cluster at most; submits beyond wait")
	fs.DurationVar(&o.topo.RunLease, "run-lease", cluster.DefaultRunLease, "a client that renews nothing for this long, while JetStream takes writes, loses its run's tasks")
	fs.IntVar(&o.topo.Replicas, "replicas", 0, "copies of each stream (default 3 with --peers, else 1)")
	fs.DurationVar(&o.drain, "drain", 0, "on SIGTERM, how long running tasks may finish before they are handed back (default --ack-wait)")
	o.pool.Mode = supervisor.ModeProcess
	fs.Func("mode", "process or thread (default process)", func(s string) (err error) {
		o.pool.Mode, err = supervisor.ParseMode(s)
		return err
	})
	fs.IntVar(&o.pool.Workers, "workers", 0, "local workers (default one per CPU)")
	fs.Func("ipc", "process mode data path: grpc, stream or frame", func(s string) (err error) {
		o.pool.IPC, err = supervisor.ParseIPC(s)
		return err
	})
	fs.DurationVar(&o.pool.Grace, "grace", supervisor.DefaultGrace, "wait between the steps of the kill ladder")
	fs.Func("max-worker-rss", "replace a worker process over this RSS, e.g. 256MiB (0: no limit)", func(s string) (err error) {
		o.pool.MaxWorkerRSS, err = parseSize(s)
		return err
	})
	fs.IntVar(&o.pool.Spares, "spares", supervisor.DefaultSpares, "warm spare worker processes")
	fs.IntVar(&o.pool.MaxRestarts, "max-restarts", supervisor.DefaultMaxRestarts, "the agent gives up after more unplanned restarts than this ...")
	fs.DurationVar(&o.pool.RestartWindow, "restart-window", supervisor.DefaultRestartWindow, "... within this window")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&o.logFmt, "log-format", "text", "text or json (logs go to stderr)")
	return fs
}

func parseAgentOptions(args []string) (*agentOptions, error) {
	o := &agentOptions{}
	fs := newAgentFlags(o)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usagef("%v (see supervisor agent --help)", err)
	}
	if fs.NArg() > 0 {
		return nil, usagef("agent takes no arguments, got %q (see supervisor agent --help)", fs.Arg(0))
	}
	switch {
	case o.nats == "" && len(o.peers) == 0:
		return nil, usagef("agent needs --nats=URL, or --peers=HOST:PORT,... to embed a cluster member")
	case len(o.peers) > 0 && o.store == "":
		return nil, usagef("--peers needs --store=DIR, where the embedded member keeps its streams")
	case o.pool.Workers < 0:
		return nil, usagef("--workers=%d: want at least 1", o.pool.Workers)
	case o.topo.AckWait < 30*time.Millisecond:
		return nil, usagef("--ack-wait=%s: want 30ms or more", o.topo.AckWait)
	case o.topo.MaxDeliver == 0 || o.topo.MaxDeliver < -1:
		return nil, usagef("--max-deliver=%d: want at least 1, or -1 for no bound", o.topo.MaxDeliver)
	case o.topo.MaxQueued < 1:
		return nil, usagef("--max-queued=%d: want at least 1", o.topo.MaxQueued)
	case o.topo.RunLease < 100*time.Millisecond:
		return nil, usagef("--run-lease=%s: want 100ms or more", o.topo.RunLease)
	case o.topo.Replicas < 0 || o.topo.Replicas > 5:
		return nil, usagef("--replicas=%d: want 1 to 5", o.topo.Replicas)
	case o.ping <= 0:
		return nil, usagef("--ping-interval=%s: want a positive duration", o.ping)
	}
	if _, err := parseLogLevel(o.logLevel); err != nil {
		return nil, err
	}
	if o.logFmt != "text" && o.logFmt != "json" {
		return nil, usagef("--log-format=%s: want text or json", o.logFmt)
	}
	o.pool.Spares = negativeForZero(o.pool.Spares)
	return o, nil
}

// runAgent runs "supervisor agent": a local pool taking tasks from
// JetStream until SIGINT or SIGTERM, then a drain. A stop on request exits
// 0, as a service manager expects; a pool that gave up exits 3.
func runAgent(args []string, stdout, stderr io.Writer) exitCode {
	o, err := parseAgentOptions(args)
	if errors.Is(err, flag.ErrHelp) {
		printAgentUsage(stdout)
		return exitOK
	}
	if err != nil {
		return report(stderr, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return report(stderr, serveAgent(ctx, o, stderr))
}

func serveAgent(ctx context.Context, o *agentOptions, stderr io.Writer) error {
	log := newLogger(stderr, o.logLevel, o.logFmt)
	begin := time.Now()
	conn, err := agentConn(o, log)
	if err != nil {
		return err
	}
	defer conn.close()
	if o.topo.Replicas == 0 {
		o.topo.Replicas = conn.replicas
	}
	lvl, _ := parseLogLevel(o.logLevel)
	o.pool.Logger, o.pool.WorkerLogLevel = log, lvl
	// The lean worker binary, beside this one: a worker re-executing the
	// command would link and initialise the cluster's NATS client too.
	o.pool.WorkerCommand = workerCommand()
	pool, err := cluster.NewLocalPool(ctx, o.pool)
	if err != nil {
		return err
	}
	defer func() { _ = pool.Stop(context.Background()) }()
	// A member waits for a majority of its peers; a service manager
	// restarts an agent that gave up waiting.
	ready, cancel := context.WithTimeout(ctx, 2*time.Minute)
	a, err := cluster.NewAgent(ready, conn.nc, pool, cluster.AgentConfig{Name: o.name, Topology: o.topo, Drain: o.drain, Logger: log})
	cancel()
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "supervisor agent %s: %d %s mode workers, jetstream at %s, ready in %s\n",
		a.Name(), pool.Size(), o.pool.Mode, conn.where, units.Duration(time.Since(begin)))
	return a.Run(ctx)
}

func printAgentUsage(w io.Writer) {
	var flags strings.Builder
	fs := newAgentFlags(&agentOptions{})
	fs.SetOutput(&flags)
	fs.PrintDefaults()
	fmt.Fprintf(w, `supervisor agent runs one host's share of a cluster: a local pool of workers
taking tasks from NATS JetStream (see docs/cluster.md).

Usage:
  supervisor agent --nats=URL [flags]                        join a cluster served elsewhere
  supervisor agent --peers=H1:6222,H2:6222,H3:6222 --store=DIR [flags]
                                                             embed a member of a 3-node cluster

%s
It stops on SIGINT or SIGTERM: it takes no more tasks, lets running ones finish
within --drain and hands the rest back. Exit status: 0 stopped on request,
2 usage error, 3 the agent gave up (its pool could not keep workers alive, or
JetStream could not be reached at start).
`, flags.String())
}
