package process

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-plugin/runner"
)

// procRunner is the go-plugin runner for a worker. go-plugin's own runner
// starts the child from whatever goroutine calls Start and signals one PID;
// ours starts it from a goroutine locked to its OS thread, so that the
// parent-death signal means "the supervisor died" and not "some thread
// exited" (golang/go#27505), puts it in its own process group, and reports
// the exit status, which go-plugin only logs.
type procRunner struct {
	cmd    *exec.Cmd
	stdout *os.File
	stderr *os.File

	exited chan struct{} // closed once the child has exited and been reaped
	state  *os.ProcessState
	werr   error

	// waited is closed when go-plugin calls Wait, which it does only once
	// it has read the child's stderr to EOF: the last lines of a dying
	// worker are in by then.
	waited     chan struct{}
	waitedOnce sync.Once

	mu     sync.Mutex // guards reaped against signalling a recycled PID
	reaped bool
}

var _ runner.Runner = (*procRunner)(nil)

// newProcRunner prepares cmd; env is what go-plugin wants the child to see
// (handshake cookie, socket directory), added to cmd's own.
func newProcRunner(cmd *exec.Cmd, env []string) *procRunner {
	cmd.Env = append(cmd.Env, env...)
	setProcAttrs(cmd)
	return &procRunner{cmd: cmd, exited: make(chan struct{}), waited: make(chan struct{})}
}

// Start spawns the child on a dedicated locked thread and returns once it
// has started. The thread stays with the child until it is reaped.
func (r *procRunner) Start(context.Context) error {
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		return err
	}
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		stdoutR.Close()
		stdoutW.Close()
		return err
	}
	// Plain files, not exec's pipes: Wait must not close our read ends
	// before go-plugin has read a dying worker's last words.
	r.cmd.Stdout, r.cmd.Stderr = stdoutW, stderrW
	r.stdout, r.stderr = stdoutR, stderrR
	started := make(chan error, 1)
	go r.spawnAndWait(started)
	err = <-started
	stdoutW.Close()
	stderrW.Close()
	if err != nil {
		stdoutR.Close()
		stderrR.Close()
	}
	return err
}

func (r *procRunner) spawnAndWait(started chan<- error) {
	lockThreadForChild()
	// The thread is never unlocked: when this goroutine returns the runtime
	// destroys it, and by then the child has been reaped.
	if err := r.cmd.Start(); err != nil {
		started <- err
		close(r.exited)
		return
	}
	started <- nil
	waitExited(r.cmd.Process.Pid)
	// The child is a zombie now, so its PID, and its group's, cannot have
	// been reused: clear out anything it left behind in its group before
	// reaping it.
	_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
	r.mu.Lock()
	r.werr = r.cmd.Wait()
	r.state = r.cmd.ProcessState
	r.reaped = true
	r.mu.Unlock()
	close(r.exited)
}

// signalGroup sends sig to the worker's process group, unless the worker
// has been reaped (its number may belong to someone else by then).
func (r *procRunner) signalGroup(sig syscall.Signal) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reaped || r.cmd.Process == nil {
		return os.ErrProcessDone
	}
	err := syscall.Kill(-r.cmd.Process.Pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

// Wait waits for the child to exit and be reaped, then releases the read
// ends of its output pipes (go-plugin has read them to EOF by the time it
// calls Wait).
func (r *procRunner) Wait(ctx context.Context) error {
	r.waitedOnce.Do(func() { close(r.waited) })
	select {
	case <-r.exited:
	case <-ctx.Done():
		return ctx.Err()
	}
	r.stdout.Close()
	r.stderr.Close()
	return r.werr
}

// Kill kills the whole group and waits until the child is reaped. It is
// safe to call more than once.
func (r *procRunner) Kill(ctx context.Context) error {
	if err := r.signalGroup(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-r.exited:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(5 * time.Second):
		return fmt.Errorf("worker %d not reaped 5s after SIGKILL", r.cmd.Process.Pid)
	}
}

func (r *procRunner) Stdout() io.ReadCloser { return r.stdout }
func (r *procRunner) Stderr() io.ReadCloser { return r.stderr }
func (r *procRunner) Name() string          { return "worker" }

func (r *procRunner) ID() string {
	if r.cmd.Process == nil {
		return ""
	}
	return strconv.Itoa(r.cmd.Process.Pid)
}

func (r *procRunner) Diagnose(context.Context) string {
	return "the worker did not complete go-plugin's handshake; is " + r.cmd.Path + " a supervisor binary?"
}

func (r *procRunner) PluginToHost(network, addr string) (string, string, error) {
	return network, addr, nil
}

func (r *procRunner) HostToPlugin(network, addr string) (string, string, error) {
	return network, addr, nil
}
