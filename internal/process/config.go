package process

import (
	"fmt"
	"io"
	"log/slog"
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
	// StartTimeout bounds spawn and handshake. Default 30s.
	StartTimeout time.Duration
	// Logger receives go-plugin's logs and the worker's stderr, tagged with
	// the worker's id and PID. Default: discard.
	Logger *slog.Logger
	// LogLevel is the level the worker logs at. Default info.
	LogLevel slog.Level
	// Env is added to the worker's environment.
	Env []string
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
