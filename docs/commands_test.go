// Package docs holds the guides and their test: every "$ bin/supervisor"
// line of docs/*.md and README.md is run, as a reader would paste it, and
// must exit as documented. The conventions are in testing-docs.md.
package docs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A command is one "$ bin/supervisor ..." line of a code block.
type command struct {
	line       int    // in its file, from 1
	text       string // as shown, without "$ ", a trailing "&" and "# exit N"
	exit       int    // the status it must end with
	background bool   // it ended with "&": it runs on while the block goes on
	interrupt  bool   // "^C" follows it: it is interrupted once it runs
}

// A block is the commands of one fenced code block, run in order in one
// directory, as in one terminal.
type block struct {
	line int
	cmds []command
}

var (
	exitComment = regexp.MustCompile(`\s+#\s*exit\s+(\d+)\s*$`)
	statusLine  = regexp.MustCompile(`^\d+$`)
)

// parseBlocks finds the code blocks of a Markdown text and the commands in
// them. A block's commands are its "$ bin/supervisor" lines; among its
// other lines, "$ echo $?" followed by a number gives the exit status of
// the command before it, and "^C" right after a command marks it
// interrupted.
func parseBlocks(text string) []block {
	var out []block
	var cur *block
	indent, lastOut := "", -1 // lastOut: the command the lines now read belong to
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		raw := lines[i]
		trimmed := strings.TrimLeft(raw, " ")
		if strings.HasPrefix(trimmed, "```") {
			if cur == nil {
				cur, indent, lastOut = &block{line: i + 1}, raw[:len(raw)-len(trimmed)], -1
			} else {
				out, cur = append(out, *cur), nil
			}
			continue
		}
		if cur == nil {
			continue
		}
		l := strings.TrimPrefix(raw, indent)
		switch {
		case strings.HasPrefix(l, "$ bin/supervisor"):
			cur.cmds = append(cur.cmds, parseCommand(i+1, strings.TrimPrefix(l, "$ ")))
			lastOut = len(cur.cmds) - 1
		case strings.TrimSpace(l) == "$ echo $?" && i+1 < len(lines) && statusLine.MatchString(strings.TrimSpace(strings.TrimPrefix(lines[i+1], indent))):
			if lastOut >= 0 && !cur.cmds[lastOut].explicit() {
				cur.cmds[lastOut].exit, _ = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(lines[i+1], indent)))
			}
			i++
		case strings.HasPrefix(l, "$ "):
			lastOut = -1 // another program's line: what follows is not ours
		case strings.TrimSpace(l) == "^C" && lastOut >= 0:
			cur.cmds[lastOut].interrupt = true
		}
	}
	return out
}

func parseCommand(line int, text string) command {
	c := command{line: line, exit: -1}
	if m := exitComment.FindStringSubmatch(text); m != nil {
		c.exit, _ = strconv.Atoi(m[1])
		text = text[:len(text)-len(m[0])]
	}
	text = strings.TrimSpace(text)
	if t, ok := strings.CutSuffix(text, "&"); ok && !strings.HasSuffix(t, "&") {
		c.background, text = true, strings.TrimSpace(t)
	}
	c.text = text
	return c
}

// explicit reports whether the line said its exit status itself.
func (c command) explicit() bool { return c.exit >= 0 }

// want is the status the command must end with: as documented, else 0.
func (c command) want() int { return max(c.exit, 0) }

func TestParseBlocks(t *testing.T) {
	doc := "text\n```\n$ bin/supervisor --task=sleep 30s\n^C\nsupervisor: SIGINT\n$ echo $?\n130\n```\n" +
		"  ```\n  $ bin/supervisor --task=exit 1   # exit 3\n  $ echo $?\n  2\n  $ bin/supervisor ps\n  ```\n" +
		"```\n$ bin/supervisor --repeat=200 &\n$ kill -9 1\n^C\n$ bin/supervisor ps | grep x\n```\n"
	got := parseBlocks(doc)
	want := []block{
		{2, []command{{line: 3, text: "bin/supervisor --task=sleep 30s", exit: 130, interrupt: true}}},
		{9, []command{{line: 10, text: "bin/supervisor --task=exit 1", exit: 3}, {line: 13, text: "bin/supervisor ps", exit: -1}}},
		{15, []command{{line: 16, text: "bin/supervisor --repeat=200", exit: -1, background: true},
			{line: 19, text: "bin/supervisor ps | grep x", exit: -1}}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("parseBlocks:\n got %+v\nwant %+v", got, want)
	}
}

// TestNoElidedCommands: a command in the prose or a table, in backticks,
// is pasted as readily as one in a code block; a literal "..." in it
// fails when pasted (issue 13: seed-claims.md rows 4, 6, 16 and 19).
func TestNoElidedCommands(t *testing.T) {
	span := regexp.MustCompile("`(bin/supervisor[^`]*)`")
	for _, f := range docFiles(t) {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(text), "\n") {
			for _, m := range span.FindAllStringSubmatch(line, -1) {
				if strings.Contains(m[1], "...") || strings.Contains(m[1], "…") {
					t.Errorf("%s:%d: `%s` cannot be pasted: spell out what ... stands for", f, i+1, m[1])
				}
			}
		}
	}
}

func docFiles(t *testing.T) []string {
	files, err := filepath.Glob("*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no docs here: %v", err)
	}
	return append(files, "../README.md")
}

// TestDocumentedCommands runs every "$ bin/supervisor" line of the docs
// and the README against a binary built from this tree, and checks its
// exit status. It takes minutes: the benchmarks run too, as documented.
func TestDocumentedCommands(t *testing.T) {
	work := buildBinary(t)
	for _, f := range docFiles(t) {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range parseBlocks(string(text)) {
			if len(b.cmds) == 0 {
				continue
			}
			t.Run(fmt.Sprintf("%s:%d", filepath.Base(f), b.line), func(t *testing.T) { runBlock(t, work, f, b) })
		}
	}
}

// buildBinary builds the supervisor as "make build" does, into a work
// directory's bin/, and returns the work directory: the commands run from
// it, so that their bin/supervisor and their output files are there.
func buildBinary(t *testing.T) string {
	t.Helper()
	work := t.TempDir()
	build := exec.Command("go", "build", "-tags", "grpcnotrace", "-o", filepath.Join(work, "bin", "supervisor"), "./cmd/supervisor")
	build.Dir = ".."
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return work
}

// runBlock runs a block's commands in order, in a control-socket directory
// of its own (so that ps and kill find this block's supervisor alone);
// background commands are interrupted when the block ends.
func runBlock(t *testing.T, work, file string, b block) {
	runtimeDir := t.TempDir()
	var background []*job
	defer func() {
		for _, j := range background {
			j.stop()
		}
	}()
	for _, c := range b.cmds {
		where := fmt.Sprintf("%s:%d: %s", filepath.Base(file), c.line, c.text)
		if missing := missingTool(c.text); missing != "" {
			t.Logf("%s: skipped, %s is not installed", where, missing)
			continue
		}
		sockets := countSockets(runtimeDir)
		j := startJob(t, work, runtimeDir, c.text)
		if c.background || c.interrupt {
			if !j.waitListening(runtimeDir, sockets) {
				t.Errorf("%s: ended before its control socket was up: exit %d\n%s", where, j.wait(time.Minute), j.tail())
				continue
			}
		}
		if c.background {
			background = append(background, j)
			continue
		}
		if c.interrupt {
			j.signal(syscall.SIGINT)
		}
		if code := j.wait(timeoutFor(c.text)); code != c.want() {
			t.Errorf("%s: exit %d, want %d\n%s", where, code, c.want(), j.tail())
		}
	}
}

// timeoutFor bounds one command: the benchmarks take minutes on a busy
// machine, anything else well under one.
func timeoutFor(text string) time.Duration {
	if strings.HasPrefix(text, "bin/supervisor bench") {
		return 15 * time.Minute
	}
	return 3 * time.Minute
}

// missingTool names a program the command needs that this machine lacks.
func missingTool(text string) string {
	need := []string{"bash"}
	for _, stage := range strings.Split(text, "|")[1:] {
		if f := strings.Fields(stage); len(f) > 0 {
			need = append(need, f[0])
		}
	}
	if strings.Contains(text, "--python") {
		need = append(need, "python3")
	}
	for _, n := range need {
		if _, err := exec.LookPath(n); err != nil {
			return n
		}
	}
	return ""
}

// A job is one command running in bash, in a process group of its own.
type job struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

func startJob(t *testing.T, work, runtimeDir, text string) *job {
	t.Helper()
	j := &job{t: t, out: &syncBuffer{}, done: make(chan struct{})}
	j.cmd = exec.Command("bash", "-o", "pipefail", "-c", text)
	j.cmd.Dir = work
	j.cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+runtimeDir, "NO_COLOR=1", "TERM=dumb")
	j.cmd.Stdout, j.cmd.Stderr = j.out, j.out
	j.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := j.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { j.err = j.cmd.Wait(); close(j.done) }()
	t.Cleanup(func() { j.kill() })
	return j
}

func (j *job) signal(sig syscall.Signal) { _ = syscall.Kill(-j.cmd.Process.Pid, sig) }

// kill ends the job's whole process group, if it still runs.
func (j *job) kill() {
	select {
	case <-j.done:
	default:
		j.signal(syscall.SIGKILL)
		<-j.done
	}
}

// wait returns the job's exit status, killing it after timeout (-1).
func (j *job) wait(timeout time.Duration) int {
	select {
	case <-j.done:
	case <-time.After(timeout):
		j.kill()
		return -1
	}
	var exit *exec.ExitError
	if errors.As(j.err, &exit) {
		return exit.ExitCode()
	}
	return 0
}

// stop interrupts a background job, as Ctrl-C in its terminal would, and
// waits for it.
func (j *job) stop() {
	j.signal(syscall.SIGINT)
	if j.wait(time.Minute) < 0 {
		j.t.Errorf("a background command did not end after SIGINT: %s\n%s", j.cmd.Args[len(j.cmd.Args)-1], j.tail())
	}
}

// waitListening waits until a control socket more than had are in the
// block's directory: the supervisor runs and can be talked to. It is
// false if the job ends first.
func (j *job) waitListening(runtimeDir string, had int) bool {
	deadline := time.Now().Add(time.Minute)
	for countSockets(runtimeDir) <= had {
		select {
		case <-j.done:
			return false
		default:
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond) // polling a directory, with a deadline
	}
	return true
}

func countSockets(runtimeDir string) int {
	m, _ := filepath.Glob(filepath.Join(runtimeDir, "supervisor", "*.sock"))
	return len(m)
}

// tail is the job's last lines of output, for a failure's message.
func (j *job) tail() string {
	lines := strings.Split(strings.TrimRight(j.out.String(), "\n"), "\n")
	return strings.Join(lines[max(len(lines)-15, 0):], "\n")
}

// syncBuffer is a bytes.Buffer safe for the job's writers and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
