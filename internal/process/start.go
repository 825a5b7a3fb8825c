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
	d, err := newDataFiles(cfg.IPC)
	if err != nil {
		return nil, err
	}
	prog, err := newProgressMap()
	if err != nil {
		d.close()
		return nil, err
	}
	// fd 3: the data path in (or the socketpair); 4: the progress record,
	// if any; 5: the data path out, on pipes.
	cmd.ExtraFiles = []*os.File{d.remoteIn, prog.file()}
	if cmd.Env == nil {
		cmd.Env = os.Environ() // what a nil Env means
	}
	// Ours after the command's own, and go-plugin's after both (see
	// launch): the last of a name wins.
	cmd.Env = append(cmd.Env, cfg.env()...)
	if prog.file() != nil {
		cmd.Env = append(cmd.Env, envProgress+"=1")
	}
	if d.remoteOut != nil {
		cmd.ExtraFiles = append(cmd.ExtraFiles, d.remoteOut)
		cmd.Env = append(cmd.Env, envData+"=pipes")
	}
	w := newWorker(cfg, d.local)
	w.dataIn = d.localIn
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
		conn, err := frame.NewPipes(w.dataIn, w.data, frameOptions(w.cfg.MaxPayload)...)
		if err != nil {
			return nil, err
		}
		w.data, w.dataIn, w.conn = nil, nil, conn // the Conn owns the descriptors now
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

// dataFiles are the data path's descriptors: on the frame path a pipe
// each way (frame.Pipes: its round trip's floor is a third lower than a
// socketpair's here), on the gRPC paths a socketpair that carries nothing
// but is the worker's lifeline. Either way the worker's ends become its fd
// 3 (and 5) and it reads EOF on fd 3 when the host is gone.
type dataFiles struct {
	local, localIn      *os.File // the host's: the socket, or the pipes out and in
	remoteIn, remoteOut *os.File // the worker's
}

func newDataFiles(ipc IPC) (dataFiles, error) {
	if ipc == IPCFrame {
		in, out, rin, rout, err := frame.Pipes()
		return dataFiles{local: out, localIn: in, remoteIn: rin, remoteOut: rout}, err
	}
	// frame.Pair also sizes the socket buffers: see docs/perf-notes.md.
	local, remote, err := frame.Pair()
	return dataFiles{local: local, remoteIn: remote}, err
}

func (d dataFiles) close() {
	for _, f := range []*os.File{d.local, d.localIn, d.remoteIn, d.remoteOut} {
		if f != nil {
			f.Close()
		}
	}
}
