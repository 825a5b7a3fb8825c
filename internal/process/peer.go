package process

import (
	"fmt"
	"os"
	"os/exec"

	"github.com/procpool/supervisor/internal/frame"
)

// Peers are what a benchmark sets beside the supervisor's own figures, in
// the same run: the floor (a round trip with nothing but the system
// calls, see frame.StartFloor) and go-plugin as its users use it (see
// StartPluginPeer). Each runs in a process started with the worker command,
// as a worker is, which Serve turns into the peer.

// envPeer makes the process a peer, not a worker: "floor" or "go-plugin".
const envPeer = "SUPERVISOR_PEER"

const (
	peerFloor    = "floor"
	peerGoPlugin = "go-plugin"
)

// servePeer runs the peer the environment names.
func servePeer(kind string) error {
	switch kind {
	case peerFloor:
		return frame.ServeFloor()
	case peerGoPlugin:
		return serveGoPlugin()
	}
	return fmt.Errorf("worker: unknown %s %q", envPeer, kind)
}

// peerCommand makes command's process a peer of the given kind.
func peerCommand(command func() (*exec.Cmd, error), kind string) (*exec.Cmd, error) {
	if command == nil {
		command = selfCommand
	}
	cmd, err := command()
	if err != nil {
		return nil, err
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, envPeer+"="+kind)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	return cmd, nil
}

// StartFloor starts a floor of the given kind in a process made by command
// (nil: this executable as "worker").
func StartFloor(command func() (*exec.Cmd, error), kind frame.FloorKind) (*frame.Floor, error) {
	cmd, err := peerCommand(command, peerFloor)
	if err != nil {
		return nil, fmt.Errorf("floor: %w", err)
	}
	return frame.StartFloor(cmd, kind)
}
