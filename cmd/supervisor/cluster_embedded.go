package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/procpool/supervisor/cluster"
	"github.com/procpool/supervisor/internal/units"
)

// agentsReadyTimeout bounds the start of an embedded cluster's agents.
const agentsReadyTimeout = 60 * time.Second

// startEmbedded starts the one-machine cluster: a NATS server in this
// process, listening on loopback only, and co.agents agent processes. What
// it starts is stopped by the returned connection's close, whatever
// happens; the agents also die with this process (parent-death signal).
func startEmbedded(ctx context.Context, co clusterOptions, o *options, stderr io.Writer) (c *clusterConn, err error) {
	begin := time.Now()
	sweepStores()
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", storePrefix, os.Getpid()))
	if err != nil {
		return nil, err
	}
	var agents []*agentProcess
	var srv *cluster.Server
	stop := func() {
		stopAgents(agents)
		if srv != nil {
			srv.Shutdown()
		}
		_ = os.RemoveAll(dir)
	}
	defer func() {
		if err != nil {
			stop()
		}
	}()
	srv, err = cluster.StartServer(cluster.ServerConfig{Name: "embedded", Listen: "127.0.0.1:0", StoreDir: dir,
		Logger: newLogger(stderr, o.logLevel, o.logFormat).With("component", "nats")})
	if err != nil {
		return nil, err
	}
	nc, err := srv.Connect()
	if err != nil {
		return nil, err
	}
	wait, cancel := context.WithTimeout(ctx, agentsReadyTimeout)
	defer cancel()
	hellos, err := cluster.AwaitAgents(wait, nc, co.agents, func() error {
		agents, err = spawnAgents(co.agents, agentArgs(o, srv.ClientURL()), stderr)
		return err
	})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("embedded cluster: %w", err)
	}
	var who []string
	for _, h := range hellos {
		who = append(who, fmt.Sprintf("%s pid %d (%d workers)", h.Name, h.PID, h.Workers))
	}
	fmt.Fprintf(stderr, "supervisor: embedded NATS at %s, %d agents ready in %s: %s\n", srv.ClientURL(), len(hellos),
		units.Duration(time.Since(begin)), strings.Join(who, ", "))
	return &clusterConn{nc: nc, where: "embedded " + srv.ClientURL(), stop: stop}, nil
}

// storePrefix begins the name of an embedded server's store directory,
// followed by the PID of the run that owns it.
const storePrefix = "supervisor-nats-"

// sweepStores removes the store directories of embedded runs that died
// without removing them (killed by a signal), and only those: a name that
// is ours, with the PID of a process that no longer exists.
func sweepStores() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), storePrefix+"*-*"))
	for _, d := range dirs {
		pid, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(d), storePrefix), "-")
		n, err := strconv.Atoi(pid)
		if err == nil && n > 0 && syscall.Kill(n, 0) == syscall.ESRCH {
			_ = os.RemoveAll(d)
		}
	}
}

// agentArgs are the arguments of an embedded cluster's agents: the local
// pool's flags of the run.
func agentArgs(o *options, url string) []string {
	args := []string{"--nats=" + url, "--mode=" + o.mode.String(), "--workers=" + strconv.Itoa(o.workers),
		"--grace=" + o.grace.String(), "--spares=" + strconv.Itoa(o.spares),
		"--max-restarts=" + strconv.Itoa(o.maxRestart), "--restart-window=" + o.window.String(),
		"--log-level=" + o.logLevel, "--log-format=" + o.logFormat}
	if o.ipc != "" {
		args = append(args, "--ipc="+string(o.ipc))
	}
	if o.maxRSS > 0 {
		args = append(args, "--max-worker-rss="+strconv.FormatInt(o.maxRSS, 10))
	}
	return args
}
