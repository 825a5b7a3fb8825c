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
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/go-plugin/runner"
)

// procRunner is the go-plugin runner for a worker. go-plugin's own runner
// starts the child from whatever goroutine calls Start and signals one PID;
// ours starts it from a goroutine locked to its OS thread, so that the
// parent-death signal means "the supervisor died" and not "some thread
// exited" (golang/go#27505), puts it in its own process group, registers
// that group with the guard (see guard.go), and reports the exit status,
// which go-plugin only logs.
type procRunner struct {
	cmd       *exec.Cmd
	guard     *Guard // nil: none
	socketDir string // go-plugin's directory for this worker's socket
	stdout    *stdoutSplit
	stderr    *os.File
	onStdout  func(line []byte) // a line a task wrote to stdout

	started atomic.Bool   // go-plugin called Start: exited will be closed
	exited  chan struct{} // closed once the child has exited and been reaped
	state   *os.ProcessState
	werr    error
	peak    atomic.Int64 // the largest VmHWM read, bytes

	// waited is closed when go-plugin calls Wait, which it does only once
	// it has read the child's stderr to EOF: the last lines of a dying
	// worker are in by then.
	waited     chan struct{}
	waitedOnce sync.Once

	mu     sync.Mutex // guards pid and reaped against signalling a recycled PID
	pid    int        // set once the child runs
	doomed bool       // killed before it ran: kill it as soon as it does
	dead   bool       // it has exited (a zombie until reaped)
	reaped bool
	sent   []sentSignal // what the host sent the group while the child lived
}

// A sentSignal is a signal the host sent to a worker's process group.
type sentSignal struct {
	sig    syscall.Signal
	at     time.Time
	ladder bool // sent by a kill ladder (a context that ended, or Stop)
}

var _ runner.Runner = (*procRunner)(nil)

// newProcRunner prepares cmd, whose ExtraFiles the runner closes once the
// child has its copies.
func newProcRunner(cmd *exec.Cmd, guard *Guard, onStdout func([]byte)) *procRunner {
	setProcAttrs(cmd, guard != nil)
	return &procRunner{cmd: cmd, guard: guard, onStdout: onStdout,
		exited: make(chan struct{}), waited: make(chan struct{})}
}

// prepare adds go-plugin's environment (handshake cookie, socket
// directory) to the command's own; go-plugin calls it through RunnerFunc.
func (r *procRunner) prepare(env []string, socketDir string) {
	r.cmd.Env = append(r.cmd.Env, env...)
	r.socketDir = socketDir
}

// Start spawns the child on a dedicated locked thread and returns once it
// has started. The thread stays with the child until it is reaped.
func (r *procRunner) Start(context.Context) error {
	r.started.Store(true)
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		r.abandon()
		return err
	}
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		stdoutR.Close()
		stdoutW.Close()
		r.abandon()
		return err
	}
	// Plain files, not exec's pipes: Wait must not close our read ends
	// before go-plugin has read a dying worker's last words.
	r.cmd.Stdout, r.cmd.Stderr = stdoutW, stderrW
	started := make(chan error, 1)
	go r.spawnAndWait(started)
	err = <-started
	stdoutW.Close()
	stderrW.Close()
	if err != nil {
		stdoutR.Close()
		stderrR.Close()
		return err
	}
	r.stderr = stderrR
	r.stdout = splitStdout(stdoutR, r.onStdout)
	return nil
}

// launched reports whether go-plugin called Start: if not, abandon must.
func (r *procRunner) launched() bool { return r.started.Load() }

// abandon releases what the runner was given when no child will run.
func (r *procRunner) abandon() {
	closeFiles(r.cmd.ExtraFiles)
	r.removeSocketDir()
	close(r.exited)
}

func (r *procRunner) spawnAndWait(started chan<- error) {
	lockThreadForChild()
	// The thread is never unlocked: when this goroutine returns the runtime
	// destroys it, and by then the child has been reaped.
	err := r.cmd.Start()
	// The child has its copies of the extra files now, or never will: the
	// host's must go at once, so that the worker's end of the socketpair
	// reads EOF here as soon as the worker dies, handshake or not.
	closeFiles(r.cmd.ExtraFiles)
	if err != nil {
		r.removeSocketDir()
		started <- err
		close(r.exited)
		return
	}
	pid := r.cmd.Process.Pid
	gerr := r.guard.add(pid)
	r.mu.Lock()
	r.pid = pid
	doomed := r.doomed || gerr != nil
	r.mu.Unlock()
	if doomed {
		_ = r.signalGroup(syscall.SIGKILL, false)
	}
	started <- gerr
	r.reap(pid)
}

// reap waits for the child to exit, clears out its process group and
// reaps it.
func (r *procRunner) reap(pid int) {
	waitExited(pid)
	r.mu.Lock()
	r.dead = true // signals from now on were not what ended it
	r.mu.Unlock()
	// The child is a zombie now, so its PID, and its group's, cannot have
	// been reused: clear out anything it left behind in its group before
	// reaping it. Its memory is gone from /proc by now, but try.
	r.samplePeak()
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	r.mu.Lock()
	r.werr = r.cmd.Wait()
	r.state = r.cmd.ProcessState
	r.reaped = true
	r.mu.Unlock()
	// Unregistered only now: until the group is killed, the guard must
	// still kill it if the supervisor dies.
	r.guard.remove(pid)
	r.removeSocketDir()
	close(r.exited)
}

// removeSocketDir removes the directory go-plugin made for this worker's
// socket. go-plugin removes it only when its client is killed, which a
// worker that died by itself may never be: every death left a directory in
// $TMPDIR. go-plugin's own removal later is then a no-op.
func (r *procRunner) removeSocketDir() {
	if r.socketDir != "" {
		_ = os.RemoveAll(r.socketDir)
	}
}

// signalGroup sends sig to the worker's process group, unless the worker
// has been reaped (its number may belong to someone else by then). ladder
// says whether a kill ladder sends it (see ExitError.Sent).
func (r *procRunner) signalGroup(sig syscall.Signal, ladder bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reaped || r.pid == 0 {
		return os.ErrProcessDone
	}
	// A child that has exited but that reap has not seen yet (it waits on
	// another thread) was not ended by this signal: without this look, an
	// outside SIGKILL during start-up read as the supervisor's own cleanup
	// kill, and the start's error hid it behind go-plugin's handshake hint.
	dead := r.dead || hasExited(r.pid)
	err := syscall.Kill(-r.pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	if err == nil && !dead {
		r.sent = append(r.sent, sentSignal{sig: sig, at: time.Now(), ladder: ladder})
	}
	return err
}

// killStart kills the worker's group because its start took too long or
// was cancelled; a worker not yet spawned is killed as soon as it is.
func (r *procRunner) killStart() {
	r.mu.Lock()
	r.doomed = true
	r.mu.Unlock()
	_ = r.signalGroup(syscall.SIGKILL, false)
}

// sentBefore returns the signals sent to the group while the child lived.
// Valid once exited is closed.
func (r *procRunner) sentBefore() []sentSignal {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sentSignal(nil), r.sent...)
}

// Wait waits for the child to exit and be reaped, then releases the read
// end of its stderr pipe (go-plugin has read it to EOF by the time it
// calls Wait).
func (r *procRunner) Wait(ctx context.Context) error {
	r.waitedOnce.Do(func() { close(r.waited) })
	select {
	case <-r.exited:
	case <-ctx.Done():
		return ctx.Err()
	}
	r.stderr.Close()
	return r.werr
}

// Kill kills the whole group and waits until the child is reaped. It is
// safe to call more than once.
func (r *procRunner) Kill(ctx context.Context) error {
	if err := r.signalGroup(syscall.SIGKILL, false); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-r.exited:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(5 * time.Second):
		return fmt.Errorf("worker %d not reaped 5s after SIGKILL", r.PID())
	}
}

// PID is the child's process ID; 0 before it runs.
func (r *procRunner) PID() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pid
}

func (r *procRunner) Stdout() io.ReadCloser { return r.stdout.handshake() }
func (r *procRunner) Stderr() io.ReadCloser { return r.stderr }
func (r *procRunner) Name() string          { return "worker" }

func (r *procRunner) ID() string {
	if pid := r.PID(); pid != 0 {
		return strconv.Itoa(pid)
	}
	return ""
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

func closeFiles(fs []*os.File) {
	for _, f := range fs {
		if f != nil {
			f.Close()
		}
	}
}
