package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// runWithTerminal runs the binary to completion with the streams named in
// onTTY ("stdout", "stderr") on a pseudo-terminal and the others on pipes.
// It returns what the terminal received (with \r\n turned back into \n),
// stdout and stderr as far as they were pipes, and the exit code.
func runWithTerminal(t *testing.T, onTTY []string, args ...string) (tty, stdout, stderr string, code int) {
	t.Helper()
	ptmx, pts, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	_ = pty.Setsize(ptmx, &pty.Winsize{Rows: termRows, Cols: termCols})
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pts, &out, &errb
	for _, s := range onTTY {
		switch s {
		case "stdout":
			cmd.Stdout = pts
		case "stderr":
			cmd.Stderr = pts
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pts.Close() // the child has it; EOF (EIO) on ptmx once the child is gone
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	var screen bytes.Buffer
	read := make(chan struct{})
	go func() { _, _ = io.Copy(&screen, ptmx); close(read) }()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(screenTimeout):
		t.Fatalf("supervisor %q did not finish", args)
	}
	<-read
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(screen.String(), "\r\n", "\n"), out.String(), errb.String(), code
}

// TestJSONStaysPureOnATerminal: with --json, stdout is JSON Lines whatever
// --ui says, even when stdout is a terminal.
func TestJSONStaysPureOnATerminal(t *testing.T) {
	for _, ui := range []string{"auto", "tui", "plain"} {
		t.Run(ui, func(t *testing.T) {
			t.Parallel()
			out, _, stderr, code := runWithTerminal(t, []string{"stdout"}, "--json", "--ui="+ui, "--workers=2", "--task=sleep", "1ms", "2ms", "3ms")
			if code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			checkJSONLines(t, out, 4)
		})
	}
}

func checkJSONLines(t *testing.T, out string, want int) {
	t.Helper()
	if strings.Contains(out, "\x1b") {
		t.Errorf("stdout has escape codes: %q", out)
	}
	n := 0
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if !json.Valid(sc.Bytes()) {
			t.Errorf("stdout line is not JSON: %q", sc.Text())
		}
		n++
	}
	if n != want {
		t.Errorf("%d lines on stdout, want %d:\n%s", n, want, out)
	}
}

// TestNoEscapeCodesWithoutATerminal: piped, no setting of --ui draws.
func TestNoEscapeCodesWithoutATerminal(t *testing.T) {
	for _, ui := range []string{"auto", "tui"} {
		t.Run(ui, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "--ui="+ui, "--workers=2", "--task=sleep", "1ms", "2ms", "3ms")
			if r.code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, "\x1b") {
				t.Errorf("escape codes written without a terminal:\nstdout %q\nstderr %q", r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, "slept 3ms") || !strings.Contains(r.stdout, "tasks          3: 3 ok") {
				t.Errorf("plain results missing:\n%s", r.stdout)
			}
			if explained := strings.Contains(r.stderr, "--ui=tui: stdout is not a terminal"); explained != (ui == "tui") {
				t.Errorf("stderr:\n%s", r.stderr)
			}
		})
	}
}

// TestProgressBarOnATerminalStderr: plain output on a terminal has a
// progress bar on stderr; stdout keeps its plain lines.
func TestProgressBarOnATerminalStderr(t *testing.T) {
	screen, stdout, _, code := runWithTerminal(t, []string{"stderr"}, "--workers=2", "--task=sleep", "--repeat=8", "30ms")
	if code != 0 {
		t.Fatalf("exit %d; terminal:\n%s", code, screen)
	}
	for _, want := range []string{"\r\x1b[K[", "/8 ", "tasks/s", "eta"} {
		if !strings.Contains(screen, want) {
			t.Errorf("stderr lacks %q:\n%q", want, screen)
		}
	}
	if strings.Contains(stdout, "\x1b") || strings.Count(stdout, "slept 30ms") != 8 {
		t.Errorf("stdout:\n%q", stdout)
	}

	screen, stdout, _, code = runWithTerminal(t, []string{"stderr"}, "--json", "--workers=2", "--task=sleep", "--repeat=8", "30ms")
	if code != 0 || strings.Contains(screen, "tasks/s") || strings.Contains(screen, "\x1b") {
		t.Errorf("with --json: exit %d, a bar on stderr:\n%q", code, screen)
	}
	checkJSONLines(t, stdout, 9)
}
