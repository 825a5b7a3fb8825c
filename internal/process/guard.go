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
// The guard is itself a process someone may kill. A Guard remembers every
// group registered and, if its process dies while the supervisor lives,
// starts another at once and registers them again with it, so that the
// workers are unguarded for a restart's time only (a few ms), never for
// the rest of the run.
//
// A Guard's methods are safe for concurrent use.
type Guard struct {
	command func() (*exec.Cmd, error)

	mu       sync.Mutex
	proc     *guardProc
	groups   map[int]struct{} // registered, replayed to a new guard process
	closed   bool
	restarts int
}

// A guardProc is one run of the guard process.
type guardProc struct {
	cmd  *exec.Cmd
	w    *os.File      // the pipe to it
	done chan struct{} // closed when it has exited
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
	g := &Guard{command: command, groups: map[int]struct{}{}}
	p, err := g.spawn()
	if err != nil {
		return nil, err
	}
	g.proc = p
	go g.watch(p)
	return g, nil
}

// spawn starts one guard process.
func (g *Guard) spawn() (*guardProc, error) {
	cmd, err := g.command()
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
	p := &guardProc{cmd: cmd, w: w, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// watch replaces p, the current guard process, if it dies before Close.
func (g *Guard) watch(p *guardProc) {
	<-p.done
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || g.proc != p {
		return
	}
	_ = g.replaceLocked()
}

// replaceLocked starts a new guard process and registers every group with
// it; the caller holds g.mu.
func (g *Guard) replaceLocked() error {
	if g.proc != nil {
		g.proc.w.Close()
	}
	p, err := g.spawn()
	if err != nil {
		g.proc = nil
		return fmt.Errorf("%w: %w", ErrGuardGone, err)
	}
	g.proc, g.restarts = p, g.restarts+1
	for pgid := range g.groups {
		if err := p.write('+', pgid); err != nil {
			return fmt.Errorf("%w: %w", ErrGuardGone, err)
		}
	}
	go g.watch(p)
	return nil
}

// PID is the current guard process's PID.
func (g *Guard) PID() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.proc == nil {
		return 0
	}
	return g.proc.cmd.Process.Pid
}

// Restarts is how many times the guard process was replaced after it
// died.
func (g *Guard) Restarts() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.restarts
}

// Close tells the guard to end: it kills any group still registered (none,
// once every worker has been stopped) and exits. Close waits for it, up to
// 5 seconds, then kills it. It is safe to call more than once.
func (g *Guard) Close() error {
	g.mu.Lock()
	g.closed = true
	p := g.proc
	if p != nil {
		p.w.Close()
	}
	g.mu.Unlock()
	if p == nil {
		return nil
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
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

// send registers (+) or unregisters (-) pgid, with the guard process and
// in the set replayed to a replacement. A write that fails means the
// process died: a new one takes its place, told every group.
func (g *Guard) send(op byte, pgid int) error {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return ErrGuardGone
	}
	if op == '+' {
		g.groups[pgid] = struct{}{}
	} else {
		delete(g.groups, pgid)
	}
	if g.proc != nil && g.proc.write(op, pgid) == nil {
		return nil
	}
	return g.replaceLocked() // it replays the set, this change included
}

// write writes one message: op, then the group, then a newline. A message
// is far below PIPE_BUF, so concurrent writes never interleave.
func (p *guardProc) write(op byte, pgid int) error {
	msg := strconv.AppendInt([]byte{op}, int64(pgid), 10)
	msg = append(msg, '\n')
	_, err := p.w.Write(msg)
	return err
}
