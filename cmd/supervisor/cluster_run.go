package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/procpool/supervisor/cluster"
	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// readyTimeout bounds the wait for JetStream at the start: servers down, or
// a cluster without a leader yet.
const readyTimeout = time.Minute

// stopTimeout bounds how long a cluster run waits, once stopping, for the
// results of the tasks it cancelled.
const stopTimeout = 10 * time.Second

// runCluster runs a workload on a cluster: --nats=URL submits to agents
// elsewhere; --cluster=embedded --agents=N starts a NATS server on loopback
// and N agents on this machine first, and stops them after.
func runCluster(args []string, stdout, stderr io.Writer) exitCode {
	co, rest, err := splitClusterArgs(args)
	if err != nil {
		return report(stderr, err)
	}
	o, err := parseClusterWorkload(rest)
	if errors.Is(err, pflag.ErrHelp) {
		_ = newRootCmd(stdout, stderr).Help()
		return exitOK
	}
	if err == nil {
		err = checkClusterWorkload(o)
	}
	if err != nil {
		return report(stderr, err)
	}
	tasks, cleanup, err := workloadTasks(o)
	if err != nil {
		return report(stderr, err)
	}
	defer cleanup()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	go func() {
		if sig, ok := <-sigs; ok {
			fmt.Fprintf(stderr, "supervisor: %s: cancelling the tasks left\n", sig)
			cancel(signalError{sig.(syscall.Signal)})
		}
	}()
	c, err := joinCluster(ctx, co, o, stderr)
	if err != nil {
		return report(stderr, err)
	}
	defer c.close()
	return executeCluster(ctx, c, o, tasks.list(), stdout, stderr)
}

// parseClusterWorkload reads the workload's flags and arguments, as the
// root command does.
func parseClusterWorkload(args []string) (*options, error) {
	o := &options{}
	fs := pflag.NewFlagSet("supervisor", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addWorkloadFlags(fs, o)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, err
		}
		return nil, usagef("%v (see supervisor --help)", err)
	}
	o.args = fs.Args()
	return o, o.check()
}

// signalError is the cause of a run's end by a signal.
type signalError struct{ sig syscall.Signal }

func (e signalError) Error() string { return e.sig.String() }

// A clusterConn is a run's way to the cluster, and what to stop after it.
type clusterConn struct {
	nc    *cluster.Conn
	where string
	stop  func() // stops what joinCluster started: agents, server
}

func (c *clusterConn) close() {
	c.nc.Close()
	if c.stop != nil {
		c.stop()
	}
}

func joinCluster(ctx context.Context, co clusterOptions, o *options, stderr io.Writer) (*clusterConn, error) {
	if co.embedded {
		return startEmbedded(ctx, co, o, stderr)
	}
	nc, err := cluster.Connect(co.nats, "supervisor client", cluster.DefaultPingInterval)
	if err != nil {
		return nil, err
	}
	return &clusterConn{nc: nc, where: co.nats}, nil
}

// executeCluster submits the tasks and prints each result as it comes.
func executeCluster(ctx context.Context, c *clusterConn, o *options, tasks []worker.Task, stdout, stderr io.Writer) exitCode {
	results := make(chan cluster.Result, len(tasks))
	cfg := cluster.Config{Retries: negativeForZero(o.retries), PoisonAfter: o.poison, Timeout: o.timeout,
		OnResult: func(r cluster.Result) { results <- r }, Logger: newLogger(stderr, o.logLevel, o.logFormat)}
	ready, cancel := context.WithTimeout(ctx, readyTimeout)
	e, err := cluster.New(ready, c.nc, cfg)
	cancel()
	if err != nil {
		return report(stderr, fmt.Errorf("cluster at %s: %w", c.where, err))
	}
	fmt.Fprintf(stderr, "supervisor: cluster mode, NATS at %s, run %s: %d tasks\n", c.where, e.Run(), len(tasks))
	begin := time.Now()
	go submitAll(ctx, e, tasks, o.chunksize)
	stopped := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		stopped <- e.Stop(sctx, supervisor.CancelQueued, supervisor.CancelRunning)
	}()
	printer := newClusterPrinter(o.json, stdout)
	all := make([]cluster.Result, 0, len(tasks))
	for range tasks {
		r := <-results
		all = append(all, r)
		printer.result(r)
	}
	wall := time.Since(begin)
	if ctx.Err() == nil {
		_ = e.Stop(context.Background())
	} else if err := <-stopped; err != nil {
		fmt.Fprintf(stderr, "supervisor: %v\n", err)
	}
	sum := summarizeCluster(c.where, all, wall)
	printer.summary(sum)
	return clusterExit(ctx, sum)
}

// submitAll submits the tasks, each on its own or, with a chunk size,
// through Map; their results come through Config.OnResult.
func submitAll(ctx context.Context, e *cluster.Executor, tasks []worker.Task, chunksize int) {
	if chunksize > 1 {
		inputs := func(yield func([]byte) bool) {
			for _, t := range tasks {
				if !yield(t.Input) {
					return
				}
			}
		}
		for range e.Map(ctx, tasks[0].Name, inputs, chunksize) {
		}
		return
	}
	for _, t := range tasks {
		e.Submit(ctx, t)
	}
}

func clusterExit(ctx context.Context, sum clusterSummary) exitCode {
	var sig signalError
	if errors.As(context.Cause(ctx), &sig) {
		return exitCode(128 + int(sig.sig))
	}
	if sum.Failed > 0 {
		return exitFailed
	}
	return exitOK
}
