package control

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/procpool/supervisor/internal/controlpb"
)

// A Client talks to a running supervisor's control socket.
type Client struct {
	path string
	conn *grpc.ClientConn
	rpc  controlpb.ControlClient
}

// Dial connects to the control socket at path ("" to Find the one running
// supervisor). With nothing listening there, its error wraps
// ErrNoSupervisor.
func Dial(path string) (*Client, error) {
	if path == "" {
		var err error
		if path, err = Find(); err != nil {
			return nil, err
		}
	} else if !listening(path) {
		return nil, fmt.Errorf("%w at %s", ErrNoSupervisor, path)
	}
	conn, err := grpc.NewClient("unix://"+path, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return &Client{path: path, conn: conn, rpc: controlpb.NewControlClient(conn)}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Ps lists the supervisor's workers.
func (c *Client) Ps(ctx context.Context) (*controlpb.PsResponse, error) {
	resp, err := c.rpc.Ps(ctx, &controlpb.PsRequest{})
	return resp, c.plain(err)
}

// Kill signals worker id with TERM or KILL and returns the PID it had.
// For a worker the supervisor does not have, its error wraps ErrNoWorker.
func (c *Client) Kill(ctx context.Context, id int, signal string) (int, error) {
	resp, err := c.rpc.Kill(ctx, &controlpb.KillRequest{Worker: int32(id), Signal: signal})
	if err != nil {
		return 0, c.plain(err)
	}
	return int(resp.GetPid()), nil
}

// plain turns a gRPC status into its message, wrapping our sentinels:
// users see "no such worker: 7", not "rpc error: code = NotFound desc = ...".
func (c *Client) plain(err error) error {
	if err == nil {
		return nil
	}
	s, ok := status.FromError(err)
	if !ok {
		return err
	}
	switch s.Code() {
	case codes.NotFound:
		return &remoteError{msg: s.Message(), is: ErrNoWorker}
	case codes.Unavailable:
		return fmt.Errorf("%w at %s (it went away)", ErrNoSupervisor, c.path)
	}
	return errors.New(s.Message())
}

// remoteError is an error the supervisor sent, as it worded it, that
// still matches our sentinel with errors.Is.
type remoteError struct {
	msg string
	is  error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.is }

// Snapshot asks for what "supervisor top" shows: the workers, the counts
// and the event lines numbered after eventsAfter.
func (c *Client) Snapshot(ctx context.Context, eventsAfter uint64) (*controlpb.SnapshotResponse, error) {
	resp, err := c.rpc.Snapshot(ctx, &controlpb.SnapshotRequest{EventsAfter: eventsAfter})
	return resp, c.plain(err)
}

// Pause stops (true) or resumes (false) handing tasks to workers.
func (c *Client) Pause(ctx context.Context, paused bool) error {
	_, err := c.rpc.Pause(ctx, &controlpb.PauseRequest{Paused: paused})
	return c.plain(err)
}

// Cancel cancels the tasks worker id runs; the worker carries on.
func (c *Client) Cancel(ctx context.Context, id int) error {
	_, err := c.rpc.Cancel(ctx, &controlpb.CancelRequest{Worker: int32(id)})
	return c.plain(err)
}

// AddWorker starts a worker in the named pool ("" for the first) and
// returns its id once it is ready.
func (c *Client) AddWorker(ctx context.Context, pool string) (int, error) {
	resp, err := c.rpc.AddWorker(ctx, &controlpb.AddWorkerRequest{Pool: pool})
	if err != nil {
		return 0, c.plain(err)
	}
	return int(resp.GetWorker()), nil
}

// RemoveWorker retires worker id once its tasks are done.
func (c *Client) RemoveWorker(ctx context.Context, id int) error {
	_, err := c.rpc.RemoveWorker(ctx, &controlpb.RemoveWorkerRequest{Worker: int32(id)})
	return c.plain(err)
}
