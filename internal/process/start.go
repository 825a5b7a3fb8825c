package process

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"
	"google.golang.org/grpc"

	"github.com/procpool/supervisor/internal/frame"
	"github.com/procpool/supervisor/internal/workerpb"
)

// Start spawns a worker process, completes go-plugin's handshake and waits
// for the worker's first reply. ctx bounds start-up only; the worker lives
// until it dies or is stopped ([Worker.Stop], [Worker.Signal]).
func Start(ctx context.Context, cfg Config) (*Worker, error) {
	cfg = cfg.withDefaults()
	cmd, err := cfg.Command()
	if err != nil {
		return nil, err
	}
	local, remote, err := socketpair()
	if err != nil {
		return nil, fmt.Errorf("start worker %d: %w", cfg.ID, err)
	}
	cmd.ExtraFiles = []*os.File{remote}
	cmd.Env = append(cmd.Env, cfg.env()...)
	w := newWorker(cfg, local)
	begin := time.Now()
	err = w.launch(ctx, cmd)
	remote.Close() // the child has its copy, or never will
	if err != nil {
		w.abort()
		return nil, fmt.Errorf("start worker %d: %w", cfg.ID, err)
	}
	w.startup = time.Since(begin)
	go w.watch()
	return w, nil
}

func newWorker(cfg Config, data *os.File) *Worker {
	w := &Worker{cfg: cfg, data: data, done: make(chan struct{})}
	w.tail = &stderrTail{forward: w.forwardStderr}
	w.id.Store(int64(cfg.ID))
	w.life, w.endLife = context.WithCancel(context.Background())
	return w
}

// launch runs go-plugin's client up to the first reply.
func (w *Worker) launch(ctx context.Context, cmd *exec.Cmd) error {
	limit := messageLimit(w.cfg.MaxPayload)
	w.client = plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		Plugins:          pluginSet(nil),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		RunnerFunc: func(_ hclog.Logger, spec *exec.Cmd, _ string) (runner.Runner, error) {
			// spec carries go-plugin's environment: the cookie, the
			// socket directory and the host's own variables.
			w.runner = newProcRunner(cmd, spec.Env)
			return w.runner, nil
		},
		Logger:       newHclogBridge(w.cfg.Logger, w.logAttrs),
		Stderr:       w.tail,
		StartTimeout: w.cfg.StartTimeout,
		GRPCDialOptions: []grpc.DialOption{grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(limit), grpc.MaxCallSendMsgSize(limit))},
	})
	proto, err := w.client.Client()
	if err != nil {
		return err
	}
	w.proto = proto
	raw, err := proto.Dispense(pluginName)
	if err != nil {
		return err
	}
	w.rpc = raw.(workerpb.WorkerClient)
	w.pid = w.runner.cmd.Process.Pid
	if w.path, err = w.openPath(); err != nil {
		return err
	}
	if err := w.firstReply(ctx); err != nil {
		return fmt.Errorf("first reply: %w", err)
	}
	return nil
}

// firstReply asks the worker for its first answer on the data path: by
// then go-plugin's handshake and its stdio stream have shown the control
// plane works. On the frame path that is an empty batch, one round trip on
// the socketpair; a gRPC Info call there cost ~0.4-0.8 ms of a start,
// enough to matter against a 3 ms target. The gRPC paths ask Info, a call
// like their tasks'.
func (w *Worker) firstReply(ctx context.Context) error {
	if w.cfg.IPC == IPCFrame {
		_, err := w.path.do(batch{first: w.seq.Add(1), size: batchHeader})
		return err
	}
	_, err := w.rpc.Info(ctx, &workerpb.InfoRequest{})
	return err
}

func (w *Worker) openPath() (dataPath, error) {
	switch w.cfg.IPC {
	case IPCFrame:
		conn, err := frame.New(w.data, frameOptions(w.cfg.MaxPayload)...)
		if err != nil {
			return nil, err
		}
		w.data, w.conn = nil, conn // the Conn owns the descriptor now
		return newFramePath(conn), nil
	case IPCStream:
		return newStreamPath(w.life, w.rpc)
	case IPCGRPC:
		return newUnaryPath(w.life, w.rpc), nil
	}
	return nil, fmt.Errorf("data path %q is not available", w.cfg.IPC)
}

// abort cleans up after a failed start.
func (w *Worker) abort() {
	if w.client != nil {
		w.client.Kill()
	}
	w.endLife()
	w.closeData()
}

// socketpair returns the two ends of a connected stream socketpair in
// blocking mode: the worker's end becomes its fd 3. frame.Pair also sizes
// the socket buffers (4 MiB where the kernel allows): a large payload then
// crosses in fewer turns, each a sleep and a wake-up of writer and reader
// (16 MiB echoes went from ~2.1 to ~2.4 GB/s with it, see
// docs/perf-notes.md).
func socketpair() (local, remote *os.File, err error) {
	return frame.Pair()
}
