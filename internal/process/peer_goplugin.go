package process

import (
	"context"
	"fmt"
	"os/exec"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/procpool/supervisor/internal/workerpb"
	"github.com/procpool/supervisor/worker"
)

// The go-plugin peer is a plain go-plugin gRPC plugin, written as its
// users write one (go-plugin's examples/grpc): a handshake, a plugin set
// with one GRPCPlugin, plugin.Serve in the plugin and plugin.NewClient,
// Dispense and one unary call per task on the host, with go-plugin's own
// runner and defaults. None of this project's data paths, spin, runner or
// guard: it is what the "go-plugin as shipped" figures are.

var peerHandshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "SUPERVISOR_PEER_PLUGIN",
	MagicCookieValue: "tasks",
}

// peerTasks is the plugin's interface, as a user would define it.
type peerTasks interface {
	Do(ctx context.Context, name string, input []byte) ([]byte, error)
}

// peerPlugin is its GRPCPlugin.
type peerPlugin struct {
	plugin.Plugin
	impl peerTasks
}

func (p *peerPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	workerpb.RegisterWorkerServer(s, &peerServer{impl: p.impl})
	return nil
}

func (p *peerPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &peerClient{rpc: workerpb.NewWorkerClient(c)}, nil
}

type peerServer struct {
	workerpb.UnimplementedWorkerServer
	impl peerTasks
}

func (s *peerServer) Do(ctx context.Context, req *workerpb.DoRequest) (*workerpb.DoResponse, error) {
	resp := &workerpb.DoResponse{}
	for _, t := range req.GetTasks() {
		out, err := s.impl.Do(ctx, t.GetName(), t.GetInput())
		o := &workerpb.Outcome{Seq: t.GetSeq(), Output: out}
		if err != nil {
			o.Kind, o.Error = workerpb.ErrorKind_ERROR_KIND_TASK, err.Error()
		}
		resp.Outcomes = append(resp.Outcomes, o)
	}
	return resp, nil
}

type peerClient struct{ rpc workerpb.WorkerClient }

func (c *peerClient) Do(ctx context.Context, name string, input []byte) ([]byte, error) {
	resp, err := c.rpc.Do(ctx, &workerpb.DoRequest{Tasks: []*workerpb.Task{{Name: name, Input: input}}})
	if err != nil {
		return nil, err
	}
	o := resp.GetOutcomes()[0]
	if o.GetKind() != workerpb.ErrorKind_ERROR_KIND_NONE {
		return nil, fmt.Errorf("%s", o.GetError())
	}
	return o.GetOutput(), nil
}

// registryTasks runs the registered tasks, as the plugin's implementation.
type registryTasks struct{}

func (registryTasks) Do(ctx context.Context, name string, input []byte) ([]byte, error) {
	res, err := worker.Run(ctx, worker.Task{Name: name, Input: input})
	return res.Output, err
}

func serveGoPlugin() error {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: peerHandshake,
		Plugins:         plugin.PluginSet{"tasks": &peerPlugin{impl: registryTasks{}}},
		GRPCServer:      plugin.DefaultGRPCServer,
		Logger:          hclog.NewNullLogger(),
	})
	return nil
}

// A PluginPeer is a running go-plugin peer process.
type PluginPeer struct {
	client *plugin.Client
	tasks  peerTasks
}

// StartPluginPeer starts a go-plugin peer in a process made by command
// (nil: this executable as "worker") and dispenses its plugin.
func StartPluginPeer(command func() (*exec.Cmd, error)) (*PluginPeer, error) {
	cmd, err := peerCommand(command, peerGoPlugin)
	if err != nil {
		return nil, fmt.Errorf("go-plugin peer: %w", err)
	}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  peerHandshake,
		Plugins:          plugin.PluginSet{"tasks": &peerPlugin{}},
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           hclog.NewNullLogger(),
	})
	rpc, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("go-plugin peer: %w", err)
	}
	raw, err := rpc.Dispense("tasks")
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("go-plugin peer: %w", err)
	}
	return &PluginPeer{client: client, tasks: raw.(peerTasks)}, nil
}

// Do runs the task in the peer: one unary gRPC call.
func (p *PluginPeer) Do(ctx context.Context, t worker.Task) ([]byte, error) {
	return p.tasks.Do(ctx, t.Name, t.Input)
}

// PID is the peer's process ID.
func (p *PluginPeer) PID() int {
	if rc := p.client.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

// Close stops the peer, as go-plugin's Kill does.
func (p *PluginPeer) Close() { p.client.Kill() }
