package control

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/procpool/supervisor/internal/controlpb"
)

// A Client talks to a running supervisor's control socket.
type Client struct {
	conn *grpc.ClientConn
	rpc  controlpb.ControlClient
}

// Dial connects to the control socket at path ("" to Find the one running
// supervisor).
func Dial(path string) (*Client, error) {
	if path == "" {
		var err error
		if path, err = Find(); err != nil {
			return nil, err
		}
	}
	conn, err := grpc.NewClient("unix://"+path, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return &Client{conn: conn, rpc: controlpb.NewControlClient(conn)}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Ps lists the supervisor's workers.
func (c *Client) Ps(ctx context.Context) (*controlpb.PsResponse, error) {
	resp, err := c.rpc.Ps(ctx, &controlpb.PsRequest{})
	return resp, plain(err)
}

// Kill signals worker id with TERM or KILL and returns the PID it had.
func (c *Client) Kill(ctx context.Context, id int, signal string) (int, error) {
	resp, err := c.rpc.Kill(ctx, &controlpb.KillRequest{Worker: int32(id), Signal: signal})
	if err != nil {
		return 0, plain(err)
	}
	return int(resp.GetPid()), nil
}

// plain turns a gRPC status into its message: users see "no such worker:
// 7", not "rpc error: code = NotFound desc = ...".
func plain(err error) error {
	if err == nil {
		return nil
	}
	if s, ok := status.FromError(err); ok {
		return fmt.Errorf("%s", s.Message())
	}
	return err
}
