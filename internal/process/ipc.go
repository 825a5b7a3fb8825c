package process

import (
	"fmt"
	"time"

	"github.com/procpool/supervisor/worker"
)

// IPC names a data path: how tasks and results travel between the
// supervisor and a worker process. The control plane is gRPC on every path.
type IPC string

const (
	// IPCGRPC makes one gRPC unary call per batch (per task unless batched):
	// go-plugin as its users usually use it.
	IPCGRPC IPC = "grpc"
	// IPCStream keeps one bidirectional gRPC stream open per worker.
	IPCStream IPC = "stream"
	// IPCFrame writes length-prefixed frames on a socketpair with blocking
	// system calls: no HTTP/2, no netpoller on the hot path.
	IPCFrame IPC = "frame"
)

// IPCs lists the data paths, fastest last.
var IPCs = []IPC{IPCGRPC, IPCStream, IPCFrame}

// ParseIPC checks a data path's name.
func ParseIPC(s string) (IPC, error) {
	for _, p := range IPCs {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown data path %q (want grpc, stream or frame)", s)
}

// A batch is tasks on their way to a worker, numbered from first, under
// one deadline (zero for none).
type batch struct {
	first    uint64
	deadline time.Time
	tasks    []worker.Task
	size     int  // encoded on the frame path (see codec.go)
	large    bool // a task's input is large enough to travel uncopied
}

// A dataPath carries batches of tasks to one worker and their outcomes back.
// An error from any method means the transport failed: the worker is gone
// or going.
type dataPath interface {
	// do sends a batch and waits for its outcomes. It is safe for
	// concurrent use.
	do(b batch) ([]outcome, error)
	// send queues a batch without waiting for it, flush writes what send
	// queued, and recv returns the next batch answered, named by its first
	// sequence number: the pipelined form, for one goroutine at a time.
	// recv's outcomes are valid until the next recv (their outputs for
	// good).
	send(b batch) error
	flush() error
	recv() (tag uint64, outs []outcome, err error)
	// ready reports whether recv would return without waiting.
	ready() bool
	close() error
}
