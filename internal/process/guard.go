package process

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// A Guard is a small process, one per supervisor, that kills every
// worker's process group when the supervisor dies, however it dies and
// whatever state the workers are in. The parent-death signal alone cannot
// promise that: it reaches only the worker, not its descendants, and a
// worker must act on it to take them down, which a stopped worker cannot
// (under a subreaper in the supervisor's session, such as tini or a
// container's init, nothing resumes it: a SIGSTOPped worker and its child
// outlived a SIGKILLed supervisor, 4 times in 4).
//
// The guard runs in its own process group and reads a pipe from the
// supervisor: each worker's group is registered once the worker runs and
// unregistered once it has been reaped and its group killed. When the
// pipe reads EOF (the supervisor closed it, or died and the kernel closed
// it) the guard sends SIGKILL to every group still registered, and exits.
// Workers started with a Guard get SIGKILL, not SIGHUP, as their own
// parent-death signal: a stopped process dies of it too.
//
// A Guard's methods are safe for concurrent use.
type Guard struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the guard process has exited

	mu  sync.Mutex
	w   *os.File // the pipe to the guard; nil once closed
	err error    // the first failed write: the guard is gone
}

// StartGuard starts the guard process. command makes the command that
// runs it, as Config.Command does for workers (nil: this executable as
// "worker"); it must end up in Serve, which runs the guard when the
// process's environment says so. The guard runs until Close, or until this
// process dies.
func StartGuard(command func() (*exec.Cmd, error)) (*Guard, error) {
	if command == nil {
		command = selfCommand
	}
	cmd, err := command()
	if err != nil {
		return nil, fmt.Errorf("start guard: %w", err)
	}
	r, w, err := os.Pipe() // close-on-exec: no worker inherits the write end
	if err != nil {
		return nil, fmt.Errorf("start guard: %w", err)
	}
	cmd.ExtraFiles = []*os.File{r}
	cmd.Env = append(cmd.Env, envGuard+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	// Its own group: a terminal's signals and a worker's group kill pass it
	// by. No parent-death signal: it must outlive the supervisor.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("start guard: %w", err)
	}
	g := &Guard{cmd: cmd, w: w, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(g.done)
	}()
	return g, nil
}

// PID is the guard process's PID.
func (g *Guard) PID() int { return g.cmd.Process.Pid }

// Done is closed when the guard process has exited.
func (g *Guard) Done() <-chan struct{} { return g.done }

// Close tells the guard to end: it kills any group still registered (none,
// once every worker has been stopped) and exits. Close waits for it, up to
// 5 seconds, then kills it. It is safe to call more than once.
func (g *Guard) Close() error {
	g.mu.Lock()
	if g.w != nil {
		g.w.Close()
		g.w = nil
	}
	g.mu.Unlock()
	select {
	case <-g.done:
		return nil
	case <-time.After(5 * time.Second):
		_ = g.cmd.Process.Kill()
		<-g.done
		return errors.New("guard did not exit within 5s of Close; killed it")
	}
}

// ErrGuardGone is the error of a worker's start when its guard process has
// exited: the worker would run unguarded.
var ErrGuardGone = errors.New("the guard process has exited")

// add registers the process group pgid. A nil Guard does nothing.
func (g *Guard) add(pgid int) error { return g.send('+', pgid) }

// remove unregisters pgid.
func (g *Guard) remove(pgid int) { _ = g.send('-', pgid) }

// send writes one message: op, then the group, then a newline. A message
// is far below PIPE_BUF, so concurrent writes never interleave.
func (g *Guard) send(op byte, pgid int) error {
	if g == nil {
		return nil
	}
	msg := strconv.AppendInt([]byte{op}, int64(pgid), 10)
	msg = append(msg, '\n')
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err != nil {
		return g.err
	}
	if g.w == nil {
		return ErrGuardGone
	}
	if _, err := g.w.Write(msg); err != nil {
		g.err = fmt.Errorf("%w: %v", ErrGuardGone, err)
		return g.err
	}
	return nil
}
