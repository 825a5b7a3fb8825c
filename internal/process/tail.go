package process

import (
	"encoding/json"
	"sync"
)

// tailLines is how many stderr lines a worker's death report keeps.
const tailLines = 20

// stderrTail keeps the last lines a worker wrote to stderr, and hands each
// complete line to forward. go-plugin writes each raw line to it
// (ClientConfig.Stderr) and then a newline.
type stderrTail struct {
	forward func(line []byte) // may be nil

	mu    sync.Mutex
	lines []string
	part  []byte
}

func (t *stderrTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range p {
		if c != '\n' {
			t.part = append(t.part, c)
			continue
		}
		if len(t.part) > 0 {
			t.push(readable(t.part))
			if t.forward != nil {
				t.forward(t.part)
			}
			t.part = t.part[:0]
		}
	}
	return len(p), nil
}

func (t *stderrTail) push(line string) {
	if len(t.lines) == tailLines {
		copy(t.lines, t.lines[1:])
		t.lines = t.lines[:tailLines-1]
	}
	t.lines = append(t.lines, line)
}

// Lines returns a copy of the kept lines, oldest first.
func (t *stderrTail) Lines() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]string(nil), t.lines...)
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
