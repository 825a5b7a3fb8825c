package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// A terminal runs the binary in a pseudo-terminal and keeps what it draws
// in a terminal emulator, so that tests read the screen a user would see.
type terminal struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptmx *os.File

	mu  sync.Mutex
	emu *vt.Emulator
	raw bytes.Buffer // everything written, escapes and all

	readDone chan struct{}
	exited   chan struct{}
	waitErr  error
}

const (
	termCols, termRows = 120, 40
	keyUp, keyDown     = "\x1b[A", "\x1b[B"
	screenTimeout      = 60 * time.Second
)

func startTerminal(t *testing.T, args ...string) *terminal {
	t.Helper()
	return startTerminalSized(t, termCols, termRows, args...)
}

func startTerminalSized(t *testing.T, cols, rows int, args ...string) *terminal {
	t.Helper()
	return startTerminalEnv(t, cols, rows, nil, args...)
}

// startTerminalEnv is startTerminalSized with env added to the
// environment.
func startTerminalEnv(t *testing.T, cols, rows int, env []string, args ...string) *terminal {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(append(os.Environ(), "TERM=xterm-256color", "COLORTERM=", "NO_COLOR="), env...)
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)}) // its own session
	if err != nil {
		t.Fatal(err)
	}
	tm := &terminal{t: t, cmd: cmd, ptmx: ptmx, emu: vt.NewEmulator(cols, rows),
		readDone: make(chan struct{}), exited: make(chan struct{})}
	// The emulator answers the program's terminal queries through a pipe
	// that must be drained, or its Write blocks.
	go func() { _, _ = io.Copy(ptmx, tm.emu) }()
	go tm.read()
	go func() {
		tm.waitErr = cmd.Wait()
		close(tm.exited)
	}()
	t.Cleanup(tm.cleanup)
	return tm
}

func (tm *terminal) read() {
	defer close(tm.readDone)
	buf := make([]byte, 32<<10)
	for {
		n, err := tm.ptmx.Read(buf)
		if n > 0 {
			tm.mu.Lock()
			_, _ = tm.emu.Write(buf[:n])
			tm.raw.Write(buf[:n])
			tm.mu.Unlock()
		}
		if err != nil { // EIO once the program has exited
			return
		}
	}
}

// cleanup kills whatever is left: the supervisor's session (its workers
// follow it, by their parent-death signal), then the terminal.
func (tm *terminal) cleanup() {
	select {
	case <-tm.exited:
	default:
		_ = syscall.Kill(-tm.cmd.Process.Pid, syscall.SIGKILL)
		<-tm.exited
	}
	tm.ptmx.Close()
	<-tm.readDone
	// Not emu.Close: it races with the reader of its pipe (x/vt v0.1.0).
	if pw, ok := tm.emu.InputPipe().(*io.PipeWriter); ok {
		pw.Close()
	}
}

func (tm *terminal) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.emu.String()
}

func (tm *terminal) press(keys string) {
	tm.t.Helper()
	if _, err := tm.ptmx.Write([]byte(keys)); err != nil {
		tm.t.Fatal(err)
	}
}

// waitFor polls the screen until re matches and returns the submatches.
func (tm *terminal) waitFor(re string) []string {
	tm.t.Helper()
	var found []string
	tm.waitUntil("the screen to show "+re, func(screen string) bool {
		found = regexp.MustCompile(re).FindStringSubmatch(screen)
		return found != nil
	})
	return found
}

// waitUntil polls the screen until ok, or fails the test at the deadline.
func (tm *terminal) waitUntil(what string, ok func(screen string) bool) {
	tm.t.Helper()
	deadline := time.Now().Add(screenTimeout)
	for {
		screen := tm.screen()
		if ok(screen) {
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("waited %s for %s; screen:\n%s", screenTimeout, what, screen)
		}
		time.Sleep(20 * time.Millisecond) // polling, not synchronising: the deadline decides
	}
}

// exitCode waits for the program to end.
func (tm *terminal) exitCode() int {
	tm.t.Helper()
	select {
	case <-tm.exited:
	case <-time.After(screenTimeout):
		tm.t.Fatalf("the program did not exit; screen:\n%s", tm.screen())
	}
	<-tm.readDone
	var exit *exec.ExitError
	if errors.As(tm.waitErr, &exit) {
		return exit.ExitCode()
	}
	if tm.waitErr != nil {
		tm.t.Fatal(tm.waitErr)
	}
	return 0
}
