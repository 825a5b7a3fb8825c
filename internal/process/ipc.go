package process

import "fmt"

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

// A dataPath carries batches of tasks to one worker and their outcomes back.
// do is safe for concurrent use. An error from do means the transport
// failed: the worker is gone or going.
type dataPath interface {
	do(reqs []request) ([]outcome, error)
	close() error
}
