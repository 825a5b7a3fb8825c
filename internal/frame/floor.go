package frame

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// The floor: what a round trip between two processes costs with nothing
// but the system calls. One byte goes to a child process and one comes
// back, with plain blocking read(2) and write(2) on each side, no spin, no
// framing, no Go scheduler work beyond entering the calls. A data path's
// round trip is best read as a multiple of it, measured in the same run
// (the machine's speed at IPC varies from one VM to the next by 2×).

// A FloorKind is the transport a floor is measured on.
type FloorKind string

const (
	// FloorSocketpair is an AF_UNIX stream socketpair, as Pair makes.
	FloorSocketpair FloorKind = "socketpair"
	// FloorPipe is a pair of pipes, one each way.
	FloorPipe FloorKind = "pipe"
)

// FloorKinds lists the floors.
var FloorKinds = []FloorKind{FloorSocketpair, FloorPipe}

// ServeFloor is the child's side of a floor: it answers each byte on
// descriptor 3 with a byte on descriptor 4 (on a socketpair both are the
// socket) until the parent closes its end.
func ServeFloor() error {
	runtime.LockOSThread()
	var b [1]byte
	for {
		n, err := readBlocking(3, b[:])
		if n == 0 || err != nil {
			return nil // the parent is done
		}
		if _, err := unix.Write(4, b[:]); err != nil {
			return fmt.Errorf("floor: write: %w", err)
		}
	}
}

// A Floor is a child process answering round trips; see StartFloor.
type Floor struct {
	Kind  FloorKind
	cmd   *exec.Cmd
	r, w  int // this side's descriptors (the same socket on a socketpair)
	extra []*os.File
}

// StartFloor starts cmd, which must end up in ServeFloor, as the other
// side of a floor of the given kind. Close ends it.
func StartFloor(cmd *exec.Cmd, kind FloorKind) (*Floor, error) {
	f := &Floor{Kind: kind, cmd: cmd}
	var childR, childW *os.File
	switch kind {
	case FloorSocketpair:
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return nil, fmt.Errorf("floor: socketpair: %w", err)
		}
		f.r, f.w = fds[0], fds[0]
		childR = os.NewFile(uintptr(fds[1]), "floor")
		childW = childR
	case FloorPipe:
		var up, down [2]int
		if err := unix.Pipe2(down[:], unix.O_CLOEXEC); err != nil {
			return nil, fmt.Errorf("floor: pipe: %w", err)
		}
		if err := unix.Pipe2(up[:], unix.O_CLOEXEC); err != nil {
			unix.Close(down[0])
			unix.Close(down[1])
			return nil, fmt.Errorf("floor: pipe: %w", err)
		}
		f.w, f.r = down[1], up[0]
		childR, childW = os.NewFile(uintptr(down[0]), "floor-in"), os.NewFile(uintptr(up[1]), "floor-out")
	default:
		return nil, fmt.Errorf("floor: unknown kind %q", kind)
	}
	cmd.ExtraFiles = []*os.File{childR, childW}
	err := cmd.Start()
	childR.Close()
	childW.Close()
	if err != nil {
		f.closeFDs()
		return nil, fmt.Errorf("floor: start: %w", err)
	}
	return f, nil
}

// RoundTrips times len(out) round trips, one after another, on the
// calling goroutine locked to its thread.
func (f *Floor) RoundTrips(out []time.Duration) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b := []byte{'x'}
	for i := range out {
		t0 := time.Now()
		if _, err := unix.Write(f.w, b); err != nil {
			return fmt.Errorf("floor: write: %w", err)
		}
		n, err := readBlocking(f.r, b)
		if err != nil || n != 1 {
			return errors.Join(errors.New("floor: the child went away"), err)
		}
		out[i] = time.Since(t0)
	}
	return nil
}

// PID is the child's process ID.
func (f *Floor) PID() int { return f.cmd.Process.Pid }

// Close ends the child (it reads EOF) and waits for it.
func (f *Floor) Close() error {
	f.closeFDs()
	return f.cmd.Wait()
}

func (f *Floor) closeFDs() {
	unix.Close(f.r)
	if f.w != f.r {
		unix.Close(f.w)
	}
}
