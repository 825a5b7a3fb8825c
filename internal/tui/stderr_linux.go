package tui

import (
	"bufio"
	"os"
	"runtime/debug"
	"time"

	"golang.org/x/sys/unix"
)

// CaptureStderr points file descriptor 2 at a pipe and hands each line
// written to it to sink, until restore is called. While the view owns the
// terminal, logs written to stderr (by log/slog, go-plugin, a printer)
// would scribble over the screen; this catches them all, whoever writes
// them, so the view can show them in its events pane instead.
//
// A fatal error or an unrecovered panic still reaches the terminal: the
// runtime's crash output goes to the saved descriptor too.
func CaptureStderr(sink func(line string)) (restore func(), err error) {
	saved, err := unix.FcntlInt(2, unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		unix.Close(saved)
		return nil, err
	}
	err = unix.Dup3(int(w.Fd()), 2, 0)
	w.Close() // fd 2 is now the pipe's only write end
	if err != nil {
		r.Close()
		unix.Close(saved)
		return nil, err
	}
	tty := os.NewFile(uintptr(saved), "stderr")
	_ = debug.SetCrashOutput(tty, debug.CrashOptions{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			sink(sc.Text())
		}
	}()
	return func() {
		_ = unix.Dup3(saved, 2, 0) // drops the last write end: the reader sees EOF
		select {
		case <-done:
		case <-time.After(time.Second): // a child process still holds the pipe
		}
		r.Close()
		_ = debug.SetCrashOutput(nil, debug.CrashOptions{})
		tty.Close()
	}, nil
}
