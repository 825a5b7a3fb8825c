package process

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"time"
)

// Defaults for the zero values of Config.
const (
	DefaultMaxPayload   = 64 << 20
	DefaultGrace        = 500 * time.Millisecond
	DefaultStartTimeout = 30 * time.Second
)

// Config says how to start one worker process. The zero value starts this
// executable as "worker" with the defaults below.
type Config struct {
	// ID is the worker's number, used in logs; see [Worker.SetID].
	ID int
	// Command returns the command that runs a worker process; it must end
	// up in [Serve]. Default: this executable with the argument "worker".
	// Tests pass their own binary here (the TestMain re-exec pattern).
	Command func() (*exec.Cmd, error)
	// IPC is the data path. Default: IPCFrame.
	IPC IPC
	// MaxPayload bounds a task's input and output, in bytes. Default 64 MiB.
	MaxPayload int
	// Grace is how long each step of the kill ladder waits before the next:
	// cancel, then SIGTERM to the group, then SIGKILL. Default 500ms.
	Grace time.Duration
	// StartTimeout bounds a start, from spawn to the worker's first reply;
	// at the deadline the worker's process group is killed and Start fails.
	// Default 30s.
	StartTimeout time.Duration
	// Logger receives go-plugin's logs and the worker's output (its log,
	// and what its tasks write to stdout and stderr), tagged with the
	// worker's id and PID, and the stream for tasks' output. Default:
	// discard.
	Logger *slog.Logger
	// LogLevel is the level the worker logs at. Default info.
	LogLevel slog.Level
	// Env is added to the worker's environment.
	Env []string
	// SocketDir is the directory in which go-plugin makes each worker's
	// socket directory (see package rundir for a private one that is
	// removed on stop and swept after a crash). Default: go-plugin's
	// choice, os.TempDir(). Either way a worker's socket directory is
	// removed once the worker has been reaped.
	SocketDir string
	// Guard, if set, kills the worker's process group should this process
	// die, even if the worker is stopped (see Guard); the worker's own
	// parent-death signal is then SIGKILL. Default: none; the worker gets
	// SIGHUP when this process dies and kills its own group.
	Guard *Guard
}

func (c Config) withDefaults() Config {
	if c.Command == nil {
		c.Command = selfCommand
	}
	if c.IPC == "" {
		c.IPC = IPCFrame
	}
	if c.MaxPayload <= 0 {
		c.MaxPayload = DefaultMaxPayload
	}
	if c.Grace <= 0 {
		c.Grace = DefaultGrace
	}
	if c.StartTimeout <= 0 {
		c.StartTimeout = DefaultStartTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}

// check refuses what a worker cannot run with.
func (c Config) check() error {
	return CheckMaxPayload(c.IPC, c.MaxPayload)
}

// MaxPayloadLimit is the largest MaxPayload a data path carries: a frame's
// length is 4 bytes (4 GiB - 1) and a gRPC message is protobuf's (2 GiB -
// 1), each less the room messageLimit keeps for the envelope.
func MaxPayloadLimit(ipc IPC) int {
	if ipc == IPCFrame || ipc == "" {
		return math.MaxUint32 - (messageLimit(0))
	}
	return math.MaxInt32 - messageLimit(0)
}

// CheckMaxPayload reports whether a payload limit of n bytes fits the data
// path ipc, with a one-line error that names the limit.
func CheckMaxPayload(ipc IPC, n int) error {
	if limit := MaxPayloadLimit(ipc); n > limit {
		return fmt.Errorf("payload limit %s is over the %s data path's limit of %s (--max-payload, Config.MaxPayload)",
			byteSize(n), ipcName(ipc), byteSize(limit))
	}
	return nil
}

func ipcName(ipc IPC) IPC {
	if ipc == "" {
		return IPCFrame
	}
	return ipc
}

// selfCommand re-executes the running binary as "worker": the worker shares
// the supervisor's code pages, which is most of a lone worker's memory.
func selfCommand() (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own executable: %w", err)
	}
	return exec.Command(exe, "worker"), nil
}

// env is what the worker needs to know about its configuration.
func (c Config) env() []string {
	return append([]string{
		fmt.Sprintf("%s=%d", envWorkerID, c.ID),
		fmt.Sprintf("%s=%d", envMaxPayload, c.MaxPayload),
		fmt.Sprintf("%s=%s", envIPC, c.IPC),
		fmt.Sprintf("%s=%s", envLogLevel, hclogLevelName(c.LogLevel)),
	}, c.Env...)
}

func hclogLevelName(l slog.Level) string {
	switch {
	case l < slog.LevelDebug:
		return "trace"
	case l < slog.LevelInfo:
		return "debug"
	case l < slog.LevelWarn:
		return "info"
	case l < slog.LevelError:
		return "warn"
	}
	return "error"
}
