package process

import (
	"context"
	"os"
	"sync"

	"google.golang.org/grpc"
)

// A taskOutput points what tasks write at the host. go-plugin's Serve
// swaps os.Stdout and os.Stderr for pipes of its own, copied to the host
// over a gRPC stream by goroutines, which the host discards and which a
// dying worker stops copying mid-stream: the last lines, the ones that
// matter, were lost. So once go-plugin has swapped them, the pipes'
// descriptors are made copies of the real ones (dup3): fd 2, the stderr
// pipe the host reads to EOF, and fd 1, whose first line was go-plugin's
// handshake and whose later lines the host forwards as the tasks' stdout.
// A write then goes straight to the host, with nothing in between that a
// crash can lose; a child process that inherits fd 1 or 2 writes there
// too.
//
// go-plugin swaps the files just before it starts serving, so the first
// gRPC call of any kind (the host's stdio stream opens at once) is after
// the swap: it redirects them, and ready is closed. The frame path, which
// does not go through gRPC, waits for ready before it runs its first task.
type taskOutput struct {
	once  sync.Once
	ready chan struct{}
}

func newTaskOutput() *taskOutput { return &taskOutput{ready: make(chan struct{})} }

func (o *taskOutput) redirect() {
	o.once.Do(func() {
		redirectFile(os.Stdout, 1)
		redirectFile(os.Stderr, 2)
		close(o.ready)
	})
}

// redirectFile makes f's descriptor a copy of fd, keeping it close-on-exec
// (fd itself is what children inherit).
func redirectFile(f *os.File, fd int) {
	if f == nil {
		return
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(cur uintptr) {
		if int(cur) != fd {
			dupCloexec(fd, int(cur))
		}
	})
}

func (o *taskOutput) unary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	o.redirect()
	return h(ctx, req)
}

func (o *taskOutput) stream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	o.redirect()
	return h(srv, ss)
}
