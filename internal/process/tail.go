package process

import (
	"bytes"
	"encoding/json"
	"sync"
)

// tailLines is how many output lines a worker's death report keeps.
const tailLines = 20

// An outputTail keeps the last lines a worker wrote to stderr and stdout,
// in the order the host read them, and hands each complete line to
// forward with its stream's name. go-plugin writes stderr to it
// (ClientConfig.Stderr) a raw line at a time, then a newline; stdout lines
// come whole from the stdout reader (see stdout.go).
type outputTail struct {
	forward func(stream string, line []byte) // may be nil

	mu    sync.Mutex
	lines []string
	part  []byte // stderr's line in progress
	// head is the start of a Go crash report (panic, fatal error, a stack
	// overflow's runtime lines): kept apart, because the goroutine dump
	// that follows pushes it out of the last lines, and it is the most
	// telling part.
	head    []string
	dropped bool // head's first line has left lines
}

// headLines is how many lines of a crash report's start are kept.
const headLines = 4

// Write takes stderr as go-plugin hands it over.
func (t *outputTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range p {
		if c != '\n' {
			t.part = append(t.part, c)
			continue
		}
		if len(t.part) > 0 {
			t.add(streamStderr, t.part)
			t.part = t.part[:0]
		}
	}
	return len(p), nil
}

// stdoutLine takes one line a task wrote to stdout.
func (t *outputTail) stdoutLine(line []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.add(streamStdout, line)
}

const (
	streamStderr = "stderr"
	streamStdout = "stdout"
)

func (t *outputTail) add(stream string, line []byte) {
	if len(t.lines) == tailLines {
		if len(t.head) > 0 && t.lines[0] == t.head[0] {
			t.dropped = true
		}
		copy(t.lines, t.lines[1:])
		t.lines = t.lines[:tailLines-1]
	}
	text := readable(line)
	t.lines = append(t.lines, text)
	if stream == streamStderr && (len(t.head) > 0 && len(t.head) < headLines || len(t.head) == 0 && crashHead(line)) {
		t.head = append(t.head, text)
	}
	if t.forward != nil {
		t.forward(stream, line)
	}
}

// Lines returns a copy of the kept lines, oldest first.
func (t *outputTail) Lines() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	if t.dropped {
		out = append(append(out, t.head...), "...")
	}
	out = append(out, t.lines...)
	if len(t.part) > 0 {
		out = append(out, readable(t.part))
	}
	return out
}

// readable shows a worker's JSON log line as its message; anything else,
// such as a panic's trace, as it is.
func readable(line []byte) string {
	if len(line) == 0 || line[0] != '{' {
		return string(line)
	}
	var entry struct {
		Level   string `json:"@level"`
		Message string `json:"@message"`
	}
	if json.Unmarshal(line, &entry) != nil || entry.Message == "" {
		return string(line)
	}
	return "[" + entry.Level + "] " + entry.Message
}

// crashHead reports whether a stderr line starts a Go crash report.
func crashHead(line []byte) bool {
	return crashBegins(line) || bytes.HasPrefix(line, []byte("runtime: "))
}
