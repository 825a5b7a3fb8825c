package process

import (
	"fmt"
	"os"
	"runtime"
	"strconv"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/procpool/supervisor/internal/workerpb"
)

// Serve is a worker process's main: it serves the built-in tasks to the
// supervisor that started it and returns when the supervisor shuts it down.
// Run by hand, without the handshake cookie, it prints go-plugin's
// explanation and exits with status 1. A process started as a supervisor's
// guard (see StartGuard) runs the guard instead, until the supervisor
// closes it or dies.
func Serve() error {
	if os.Getenv(envGuard) != "" {
		return serveGuard()
	}
	if kind := os.Getenv(envPeer); kind != "" {
		return servePeer(kind)
	}
	keep := []int{dataFD, progressFD}
	if os.Getenv(envData) == "pipes" {
		keep = append(keep, dataOutFD)
	}
	closeStrayFDs(keep...)
	// go-plugin redirects os.Stderr into its stdio stream once serving;
	// logs must reach the real stderr, which the host reads line by line.
	logOut := os.Stderr
	logger := hclog.New(&hclog.LoggerOptions{
		Name:       "worker",
		Output:     logOut,
		JSONFormat: true, // the host parses JSON lines and keeps their level
		Level:      hclog.LevelFromString(envOr(envLogLevel, "info")),
	})
	maxPayload, err := strconv.Atoi(envOr(envMaxPayload, strconv.Itoa(DefaultMaxPayload)))
	if err != nil || maxPayload <= 0 {
		return fmt.Errorf("worker: bad %s: %q", envMaxPayload, os.Getenv(envMaxPayload))
	}
	exec := newExecutor(maxPayload, openProgress())
	data, err := openData(dataFD)
	if err != nil {
		return err
	}
	guardAgainstOrphaning(data, exec)
	out := newTaskOutput()
	if os.Getenv(envIPC) == string(IPCFrame) {
		var answers *os.File // on pipes: the way back
		if os.Getenv(envData) == "pipes" {
			if answers, err = openData(dataOutFD); err != nil {
				return err
			}
		}
		if err := serveFrames(data, answers, exec, maxPayload, out.ready); err != nil {
			return err
		}
	}
	srv := &grpcServer{exec: exec, info: &workerpb.InfoResponse{
		Pid: int64(os.Getpid()), GoVersion: runtime.Version(), MaxPayload: int64(maxPayload),
	}}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         pluginSet(srv),
		GRPCServer:      grpcServerFor(maxPayload, out),
		Logger:          logger,
	})
	return nil
}

// grpcServerFor makes the worker's gRPC server. It raises gRPC's 4 MiB
// message limit to the payload limit, so that the supervisor's own check,
// with its clear message, is the one users meet; and it points the tasks'
// output at the host before the first call is served (see taskOutput).
func grpcServerFor(maxPayload int, out *taskOutput) func([]grpc.ServerOption) *grpc.Server {
	limit := messageLimit(maxPayload)
	return func(opts []grpc.ServerOption) *grpc.Server {
		opts = append(opts, grpc.MaxRecvMsgSize(limit), grpc.MaxSendMsgSize(limit),
			grpc.ChainUnaryInterceptor(out.unary), grpc.ChainStreamInterceptor(out.stream))
		return grpc.NewServer(opts...)
	}
}

// messageLimit leaves room for the envelope around a payload at the limit.
func messageLimit(maxPayload int) int { return maxPayload + 1<<20 }

// openData opens one of the worker's data descriptors (its end of the
// socketpair, or of a pipe) and keeps it from leaking into anything the
// worker's tasks execute.
func openData(fd int) (*os.File, error) {
	f := os.NewFile(uintptr(fd), "supervisor-data")
	if f == nil {
		return nil, fmt.Errorf("worker: no file descriptor %d: not started by a supervisor", fd)
	}
	if _, err := f.Stat(); err != nil {
		return nil, fmt.Errorf("worker: file descriptor %d: %w", fd, err)
	}
	closeOnExec(fd)
	return f, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// InWorker reports whether this process was started by a supervisor as a
// worker process (go-plugin's magic cookie is in its environment) or as a
// supervisor's guard (see StartGuard). A program that embeds the
// supervisor must call its worker entry point (Serve) in such a process
// rather than start a pool of its own, which would start workers that
// start workers.
func InWorker() bool {
	return os.Getenv(Handshake.MagicCookieKey) == Handshake.MagicCookieValue || os.Getenv(envGuard) != "" || os.Getenv(envPeer) != ""
}
