package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// flushAfter bounds how long a JSON line may wait in the buffer.
const flushAfter = 20 * time.Millisecond

// lateWriter buffers writes and flushes them within flushAfter of the first
// unflushed one. A JSON Lines consumer still sees each task within
// milliseconds, but a burst of results costs one write(2) instead of one per
// line: at tens of thousands of results a second, per-line writes compete
// for the CPUs with the workers and the dispatch they are measuring.
type lateWriter struct {
	mu    sync.Mutex
	w     *bufio.Writer
	timer *time.Timer // armed while the buffer holds unflushed bytes
}

func newLateWriter(w io.Writer) *lateWriter {
	return &lateWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

func (l *lateWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer == nil {
		l.timer = time.AfterFunc(flushAfter, func() { _ = l.Flush() })
	}
	return l.w.Write(p)
}

// Flush writes what is buffered now.
func (l *lateWriter) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	return l.w.Flush()
}
