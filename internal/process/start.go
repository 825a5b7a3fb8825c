package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"
	"google.golang.org/grpc"

	"github.com/procpool/supervisor/internal/frame"
	"github.com/procpool/supervisor/internal/workerpb"
)

// Start spawns a worker process, completes go-plugin's handshake and waits
// for the worker's first reply. ctx bounds start-up only, and so does
// Config.StartTimeout; the worker lives until it dies or is stopped
// ([Worker.Stop], [Worker.Signal]).
//
// Start-up is a fault domain: a worker that dies, hangs or stops before
// its first reply makes Start return an error promptly, whatever the data
// path (at the deadline the worker's process group is killed, so that no
// read waits on it), and leaves nothing behind: no process, descriptor,
// goroutine or directory. When the worker died, errors.As finds its
// *ExitError in the error.
func Start(ctx context.Context, cfg Config) (*Worker, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("start worker %d: %w", cfg.ID, err)
	}
	cmd, err := cfg.Command()
	if err != nil {
		return nil, err
	}
	w, err := prepare(cfg, cmd)
	if err != nil {
		return nil, fmt.Errorf("start worker %d: %w", cfg.ID, err)
	}
	sctx, cancel := context.WithTimeout(ctx, cfg.StartTimeout)
	defer cancel()
	// At the deadline, kill the group: every read that waits on the worker
	// (go-plugin's handshake, a gRPC call, the frame path's blocking read)
	// then returns.
	stop := context.AfterFunc(sctx, w.runner.killStart)
	begin := time.Now()
	err = w.launch(sctx)
	if !stop() && err == nil {
		err = errors.New("killed at the deadline") // it fired as the first reply came
	}
	if err != nil {
		return nil, w.failed(sctx, err)
	}
	w.startup = time.Since(begin)
	w.SampleMemory()
	go w.watch()
	return w, nil
}

// prepare makes the Worker and what its process inherits: the worker's end
// of the socketpair and, where there is one, the progress record.
func prepare(cfg Config, cmd *exec.Cmd) (*Worker, error) {
	local, remote, err := socketpair()
	if err != nil {
		return nil, err
	}
	prog, err := newProgressMap()
	if err != nil {
		local.Close()
		remote.Close()
		return nil, err
	}
	cmd.ExtraFiles = []*os.File{remote}
	if cmd.Env == nil {
		cmd.Env = os.Environ() // what a nil Env means
	}
	// Ours after the command's own, and go-plugin's after both (see
	// launch): the last of a name wins.
	cmd.Env = append(cmd.Env, cfg.env()...)
	if f := prog.file(); f != nil {
		cmd.ExtraFiles = append(cmd.ExtraFiles, f)
		cmd.Env = append(cmd.Env, envProgress+"=1")
	}
	w := newWorker(cfg, local)
	w.progress = prog
	w.runner = newProcRunner(cmd, cfg.Guard, w.tail.stdoutLine)
	return w, nil
}

func newWorker(cfg Config, data *os.File) *Worker {
	w := &Worker{cfg: cfg, data: data, done: make(chan struct{}), released: make(chan struct{})}
	w.tail = &outputTail{forward: w.forwardOutput}
	w.id.Store(int64(cfg.ID))
	w.life, w.endLife = context.WithCancel(context.Background())
	return w
}

// launch runs go-plugin's client up to the first reply.
func (w *Worker) launch(ctx context.Context) error {
	limit := messageLimit(w.cfg.MaxPayload)
	cc := &plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		Plugins:          pluginSet(nil),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		// The host's environment is already in the command's, before
		// ours: appended after, as go-plugin does, it would override ours.
		SkipHostEnv: true,
		RunnerFunc: func(_ hclog.Logger, spec *exec.Cmd, socketDir string) (runner.Runner, error) {
			// spec carries go-plugin's environment: the cookie and the
			// socket directory.
			w.runner.prepare(spec.Env, socketDir)
			return w.runner, nil
		},
		Logger:       newHclogBridge(w.cfg.Logger, w.logAttrs),
		Stderr:       w.tail,
		StartTimeout: w.cfg.StartTimeout,
		GRPCDialOptions: []grpc.DialOption{grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(limit), grpc.MaxCallSendMsgSize(limit))},
	}
	if w.cfg.SocketDir != "" {
		cc.UnixSocketConfig = &plugin.UnixSocketConfig{TempDir: w.cfg.SocketDir}
	}
	w.client = plugin.NewClient(cc)
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
	w.pid = w.runner.PID()
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
// like their tasks'. Start's deadline bounds either: it kills the worker,
// and the frame path's read then sees EOF, since the host holds no copy of
// the worker's end.
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

// failed cleans up after a start that failed with err, and returns the
// error Start reports: the deadline's, or the worker's exit (its
// *ExitError in the chain) if it died on its own, or err.
func (w *Worker) failed(ctx context.Context, err error) error {
	w.runner.killStart()
	if w.client != nil {
		w.client.Kill() // waits for go-plugin's goroutines; removes its directory
	}
	if !w.runner.launched() {
		w.runner.abandon()
	}
	<-w.runner.exited
	exit := newExitError(w.runner.PID(), w.runner.state, w.runner.sentBefore(), w.tail.Lines())
	w.progress.close()
	w.endLife()
	w.closeData()
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		err = fmt.Errorf("no first reply within %v (StartTimeout): %w", w.cfg.StartTimeout, ctx.Err())
	case ctx.Err() != nil:
		err = fmt.Errorf("no first reply: %w", ctx.Err())
	case w.runner.state != nil && exit.Sent == 0:
		// go-plugin's error says only that the handshake or a call
		// failed, over several lines; the exit says why.
		if words := exit.LastWords(); words != "" {
			return fmt.Errorf("start worker %d: %w before its first reply: %s", w.cfg.ID, exit, words)
		}
		return fmt.Errorf("start worker %d: %w before its first reply", w.cfg.ID, exit)
	default:
		err = oneLine(err)
	}
	if w.runner.state != nil {
		return fmt.Errorf("start worker %d: %w (%w)", w.cfg.ID, err, exit)
	}
	return fmt.Errorf("start worker %d: %w", w.cfg.ID, err)
}

// oneLine joins the lines of a multi-line error (go-plugin's explain
// themselves over several) with "; ".
func oneLine(err error) error {
	if msg := err.Error(); strings.Contains(msg, "\n") {
		return errors.New(strings.ReplaceAll(strings.TrimSpace(msg), "\n", "; "))
	}
	return err
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
