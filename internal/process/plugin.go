package process

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/procpool/supervisor/internal/workerpb"
)

// Handshake is checked by both sides before anything else: the magic cookie
// stops a user from running "supervisor worker" by hand (it is not a
// security measure), and the protocol version must match exactly.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "SUPERVISOR_WORKER_COOKIE",
	MagicCookieValue: "5c3f1f9e-workers-are-processes",
}

// pluginName is the single plugin a worker serves.
const pluginName = "worker"

// grpcPlugin is go-plugin's glue: on the worker side it registers the
// Worker service, on the host side it wraps the connection in a client.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	server workerpb.WorkerServer // worker side only
}

func (p *grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	workerpb.RegisterWorkerServer(s, p.server)
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return workerpb.NewWorkerClient(c), nil
}

var _ plugin.GRPCPlugin = (*grpcPlugin)(nil)

// pluginSet is what both sides agree to serve and dispense.
func pluginSet(server workerpb.WorkerServer) plugin.PluginSet {
	return plugin.PluginSet{pluginName: &grpcPlugin{server: server}}
}
