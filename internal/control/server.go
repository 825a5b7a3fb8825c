package control

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/procpool/supervisor/internal/controlpb"
	"github.com/procpool/supervisor/supervisor"
)

// Target is what the control socket needs of a running supervisor.
type Target interface {
	Config() supervisor.Config
	Workers() []supervisor.WorkerInfo
	Kill(id int, sig syscall.Signal) error
	Queued() int
	Counts() map[supervisor.Status]int
	Paused() bool
}

// A Server serves the control socket until Close.
type Server struct {
	path string
	srv  *grpc.Server
	done chan struct{}
}

// Listen serves t's control socket at path ("" for DefaultPath of this
// process). A socket left behind by a dead supervisor is replaced; a live
// one is an error.
func Listen(path string, t Target) (*Server, error) {
	if path == "" {
		path = DefaultPath(os.Getpid())
		if err := ensureDir(Dir()); err != nil {
			return nil, fmt.Errorf("control socket: %w", err)
		}
	}
	if listening(path) {
		return nil, fmt.Errorf("control socket %s: another supervisor is listening there", path)
	}
	ln, err := listenPrivate(path)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	s := &Server{path: path, srv: grpc.NewServer(), done: make(chan struct{})}
	controlpb.RegisterControlServer(s.srv, &service{t: t})
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(sameUserListener{ln})
	}()
	return s, nil
}

// listenPrivate listens on a Unix socket at path with mode 0600. The
// socket is bound in a fresh 0700 directory next to path, given its mode,
// and only then renamed into place, so there is no moment when others
// could connect (changing the umask instead would leak into workers
// spawned meanwhile).
func listenPrivate(path string) (net.Listener, error) {
	tmp, err := os.MkdirTemp(filepath.Dir(path), ".control-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	bound := filepath.Join(tmp, "s")
	ln, err := net.Listen("unix", bound)
	if err != nil {
		return nil, err
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	if err := os.Chmod(bound, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	_ = os.Remove(path) // a dead supervisor's socket
	if err := os.Rename(bound, path); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// Path is where the socket is.
func (s *Server) Path() string { return s.path }

// Close stops serving and removes the socket.
func (s *Server) Close() error {
	stopped := make(chan struct{})
	go func() { s.srv.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(time.Second):
		s.srv.Stop()
	}
	<-s.done
	return os.Remove(s.path)
}

// sameUserListener drops connections from other users.
type sameUserListener struct{ net.Listener }

func (l sameUserListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil || sameUser(c) {
			return c, err
		}
		c.Close()
	}
}

type service struct {
	controlpb.UnimplementedControlServer
	t Target
}

func (s *service) Ps(context.Context, *controlpb.PsRequest) (*controlpb.PsResponse, error) {
	resp := &controlpb.PsResponse{Mode: s.t.Config().Mode.String(), Pid: int64(os.Getpid()),
		Queued: int64(s.t.Queued()), Paused: s.t.Paused()}
	for _, n := range s.t.Counts() {
		resp.Finished += int64(n)
	}
	for _, w := range s.t.Workers() {
		resp.Workers = append(resp.Workers, workerToPB(w))
	}
	return resp, nil
}

func (s *service) Kill(_ context.Context, req *controlpb.KillRequest) (*controlpb.KillResponse, error) {
	sig, err := ParseSignal(req.GetSignal())
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	id := int(req.GetWorker())
	var pid int
	for _, w := range s.t.Workers() {
		if w.ID == id {
			pid = w.PID
		}
	}
	if err := s.t.Kill(id, sig); err != nil {
		code := codes.FailedPrecondition
		if errors.Is(err, supervisor.ErrNoWorker) {
			code = codes.NotFound
		}
		return nil, status.Error(code, err.Error())
	}
	return &controlpb.KillResponse{Pid: int64(pid)}, nil
}

// ParseSignal accepts TERM or KILL, with or without the SIG prefix.
func ParseSignal(s string) (syscall.Signal, error) {
	switch s {
	case "KILL", "SIGKILL", "kill", "":
		return syscall.SIGKILL, nil
	case "TERM", "SIGTERM", "term":
		return syscall.SIGTERM, nil
	}
	return 0, fmt.Errorf("signal %q: want TERM or KILL", s)
}

func workerToPB(w supervisor.WorkerInfo) *controlpb.Worker {
	return &controlpb.Worker{Id: int32(w.ID), Pool: w.Pool, Pid: int64(w.PID), State: string(w.State),
		TaskId: w.TaskID, Task: w.Task, Input: w.Input, BusyNs: int64(w.Busy), Done: int64(w.Done),
		Failed: int64(w.Failed), Restarts: int64(w.Restarts), RssBytes: w.RSS, CpuPercent: w.CPU, Cpus: w.CPUs}
}
