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
	"github.com/procpool/supervisor/internal/feed"
	"github.com/procpool/supervisor/supervisor"
)

// Target is what the control socket needs of a running supervisor: a
// snapshot, a kill with the signal "supervisor kill --signal" asks for,
// and the live view's controls for "supervisor top".
type Target interface {
	Config() supervisor.Config
	Stats() supervisor.Stats
	Signal(id int, sig syscall.Signal) error
	Steering
}

// Steering is what "supervisor top" does to a run besides killing: the
// methods of the live view's pool.
type Steering interface {
	CancelTask(id int) error
	AddWorker(pool string) (int, error)
	RemoveWorker(id int) error
	SetPaused(paused bool) error
}

// A Server is a bound control socket; it serves from Serve until Close.
type Server struct {
	path  string
	ln    net.Listener
	file  os.FileInfo // the socket file as bound: Close removes only that one
	inDir bool        // bound in Dir, the per-user directory made for it

	srv  *grpc.Server // nil until Serve
	done chan struct{}
}

// Serve answers requests about t, in a goroutine of its own, until Close.
// f is the run's feed, for the event lines and the counts of Snapshot; nil
// serves no lines and counts from t's Stats alone. Call it at most once.
func (s *Server) Serve(t Target, f *feed.Feed) {
	s.srv, s.done = grpc.NewServer(), make(chan struct{})
	controlpb.RegisterControlServer(s.srv, &service{t: t, feed: f})
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(sameUserListener{s.ln})
	}()
}

// Path is where the socket is.
func (s *Server) Path() string { return s.path }

// Close stops serving (giving requests in progress a second) and removes
// the socket file, unless something else has taken its place since Bind.
// Call it once.
func (s *Server) Close() error {
	if s.srv == nil {
		s.ln.Close()
	} else {
		stopped := make(chan struct{})
		go func() { s.srv.GracefulStop(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(time.Second):
			s.srv.Stop()
		}
		<-s.done
	}
	if fi, err := os.Lstat(s.path); err != nil || !os.SameFile(fi, s.file) {
		return nil
	}
	if err := os.Remove(s.path); err != nil {
		return err
	}
	if s.inDir {
		// The per-user directory goes too when nothing else is in it (rmdir
		// refuses one that is not empty: another supervisor's socket, or,
		// when it is also the run directories' parent, one of those).
		_ = os.Remove(filepath.Dir(s.path))
	}
	return nil
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
	t    Target
	feed *feed.Feed
}

func (s *service) Ps(context.Context, *controlpb.PsRequest) (*controlpb.PsResponse, error) {
	st := s.t.Stats()
	resp := &controlpb.PsResponse{Mode: s.t.Config().Mode.String(), Pid: int64(os.Getpid()),
		Queued: int64(st.Queued), Paused: st.Paused}
	for _, n := range st.Ended {
		resp.Finished += n
	}
	for _, w := range st.Workers {
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
	for _, w := range s.t.Stats().Workers {
		if w.ID == id {
			pid = w.PID
		}
	}
	if err := s.t.Signal(id, sig); err != nil {
		return nil, statusOf(err)
	}
	return &controlpb.KillResponse{Pid: int64(pid)}, nil
}

// statusOf carries a refusal to the client as its message, with NotFound
// for a worker the supervisor does not have.
func statusOf(err error) error {
	code := codes.FailedPrecondition
	if errors.Is(err, supervisor.ErrNoWorker) {
		code = codes.NotFound
	}
	return status.Error(code, err.Error())
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
