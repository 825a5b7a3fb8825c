package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/procpool/supervisor/internal/control"
	"github.com/procpool/supervisor/internal/limits"
)

func TestShieldNegatives(t *testing.T) {
	root := newRootCmd(io.Discard, io.Discard)
	cases := []struct{ in, want string }{
		{"", ""},
		{"1 2 --json", "1 2 --json"},
		{"-5", "-- -5"},
		{"--task=echo -5 --mode thread 7", "--task=echo --mode thread -- -5 7"},
		{"--workers 2 -0.5", "--workers 2 -- -0.5"},
		{"--json -5 a -- -b", "--json -- -5 a -b"},
		{"kill -5", "kill -5"},
		{"--json ps -5", "--json ps -5"},
	}
	for _, c := range cases {
		got := strings.Join(shieldNegatives(root, strings.Fields(c.in)), " ")
		if got != c.want {
			t.Errorf("shieldNegatives(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	commands := []string{"help", "tasks", "compare", "bench", "ps", "kill", "version", "completion"}
	cases := map[string]string{"kil": "kill", "comapre": "compare", "benhc": "bench", "verison": "version", "p": "ps", "x": "", "xyz": "", "task": "tasks", "prime": ""}
	for typed, want := range cases {
		got := suggest(typed, commands)
		if (want == "") != (len(got) == 0) || want != "" && got[0] != want {
			t.Errorf("suggest(%q) = %v, want %q first", typed, got, want)
		}
	}
	if got := suggest("prime", taskNames()); len(got) == 0 || got[0] != "primes" {
		t.Errorf("suggest(prime) among tasks = %v", got)
	}
	if got := suggest("worker", []string{"workers", "grace"}); !slices.Equal(got, []string{"workers"}) {
		t.Errorf("suggest(worker) = %v", got)
	}
}

func TestFormatVersion(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-11-29T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	want := "supervisor v1.2.3, commit 0123456789ab of 2026-11-29T10:00:00Z (modified), go1.26.0 linux/amd64"
	if got := formatVersion(info, "linux/amd64"); got != want {
		t.Errorf("formatVersion = %q, want %q", got, want)
	}
	bare := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}}
	if got := formatVersion(bare, "linux/amd64"); got != "supervisor (devel), go1.26.0 linux/amd64" {
		t.Errorf("formatVersion without VCS = %q", got)
	}
}

// TestConsoleJSON: every line out of a JSON console is a JSON object,
// whether it came whole, in pieces, or already as JSON.
func TestConsoleJSON(t *testing.T) {
	var b bytes.Buffer
	c := newConsole(&b, true)
	_, _ = io.WriteString(c.out(), "supervisor: control socket /x\nsupervisor: par")
	_, _ = io.WriteString(c.out(), "tial\n{\"level\":\"WARN\",\"msg\":\"from slog\"}\n")
	c.errorf("bad %s", "thing")
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	want := []struct{ level, msg string }{{"INFO", "control socket /x"}, {"INFO", "partial"}, {"WARN", "from slog"}, {"ERROR", "bad thing"}}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), b.String())
	}
	for i, line := range lines {
		var l struct{ Level, Msg string }
		if err := json.Unmarshal([]byte(line), &l); err != nil || l.Level != want[i].level || l.Msg != want[i].msg {
			t.Errorf("line %d: %q (%v), want %+v", i, line, err, want[i])
		}
	}
	var text bytes.Buffer
	if c := newConsole(&text, false); c.out() != io.Writer(&text) {
		t.Error("a text console wraps stderr: the views could not tell it is a terminal")
	}
}

func TestCodeOf(t *testing.T) {
	cases := []struct {
		err  error
		want exitCode
	}{
		{nil, 0},
		{usagef("bad"), 2},
		{&exitStatus{code: 130}, 130},
		{control.ErrNoSupervisor, 4},
		{control.ErrNoWorker, 4},
		{control.ErrAmbiguous, 2},
		{&limits.Error{}, 3},
		{errors.New("workers cannot start"), 3},
	}
	for _, c := range cases {
		if got := codeOf(c.err); got != c.want {
			t.Errorf("codeOf(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

func TestRawCommand(t *testing.T) {
	var got []string
	root := newRootCmd(io.Discard, io.Discard)
	// A name of its own: "agent" is taken now, by the real one.
	root.AddCommand(rawCommand("raw-probe", "a raw command", func(args []string, _, _ io.Writer) exitCode {
		got = args
		return 7
	}))
	root.SetArgs([]string{"raw-probe", "--nats=x", "-5", "--help"})
	if code := codeOf(root.Execute()); code != 7 || strings.Join(got, " ") != "--nats=x -5 --help" {
		t.Errorf("exit %d, args %q", code, got)
	}
}
