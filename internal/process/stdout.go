package process

import (
	"bufio"
	"bytes"
	"io"
	"os"
)

// A stdoutSplit reads a worker's stdout. Its first line is go-plugin's
// handshake, handed to go-plugin through a pipe of its own; every line
// after it is what the worker's tasks wrote to stdout (see serve_stdio.go),
// handed to line. go-plugin alone would read that stream for the handshake
// and then discard the rest.
//
// It reads to EOF, which comes when the worker and everything that shares
// its stdout have exited (the host holds no copy of the write end).
type stdoutSplit struct {
	hs   *io.PipeReader
	done chan struct{} // closed at EOF
}

// splitStdout starts reading src on a goroutine of its own, which ends at
// EOF (see done).
func splitStdout(src *os.File, line func([]byte)) *stdoutSplit {
	pr, pw := io.Pipe()
	s := &stdoutSplit{hs: pr, done: make(chan struct{})}
	go s.run(src, pw, line)
	return s
}

func (s *stdoutSplit) run(src *os.File, hs *io.PipeWriter, line func([]byte)) {
	defer close(s.done)
	defer src.Close()
	r := bufio.NewReader(src) // a longer line comes in pieces
	first, err := r.ReadBytes('\n')
	// go-plugin reads the line, or has stopped reading and closed its end.
	_, _ = hs.Write(first)
	hs.Close()
	if err != nil {
		return
	}
	for {
		l, err := r.ReadSlice('\n')
		if len(l) > 0 && err != bufio.ErrBufferFull {
			l = bytes.TrimSuffix(l, []byte{'\n'})
		}
		if len(l) > 0 && line != nil {
			line(l)
		}
		if err != nil && err != bufio.ErrBufferFull {
			return
		}
	}
}

// handshake is what go-plugin reads: the first line, then EOF.
func (s *stdoutSplit) handshake() io.ReadCloser { return s.hs }
