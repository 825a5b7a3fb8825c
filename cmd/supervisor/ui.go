package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/term"

	"github.com/procpool/supervisor/internal/feed"
	"github.com/procpool/supervisor/internal/tui"
	"github.com/procpool/supervisor/supervisor"
)

// withView puts the run's view in front of the other observers: the live
// view (--ui=tui, or auto on a terminal), which takes the place of the
// printers; or the printers, with a progress bar when stderr is a terminal.
func (o *options) withView(others observers, stdout, stderr io.Writer) observers {
	live, note := o.wantLiveView(stdout)
	if note != "" {
		fmt.Fprintf(stderr, "supervisor: %s\n", note)
	}
	if live {
		return observers{newLiveView(others, stdout, stderr)}
	}
	if !o.json && isTerminal(stderr) {
		bar := newProgressBar(stderr)
		return append(observers{bar, newPrinter(false, bar.above(stdout)), newEventPrinter(bar.above(stderr))}, others...)
	}
	return append(observers{newPrinter(o.json, stdout), newEventPrinter(stderr)}, others...)
}

// wantLiveView decides whether to show the live view. stdout must be a
// terminal and free of JSON; auto also wants stdin to be a terminal and a
// terminal that can draw. note explains a --ui=tui that cannot be honoured.
func (o *options) wantLiveView(stdout io.Writer) (live bool, note string) {
	switch {
	case o.ui == "plain":
		return false, ""
	case o.json:
		if o.ui == "tui" {
			return false, "--ui=tui: not with --json, which keeps stdout for JSON Lines"
		}
		return false, ""
	case !isTerminal(stdout):
		if o.ui == "tui" {
			return false, "--ui=tui: stdout is not a terminal; printing plain results"
		}
		return false, ""
	case o.ui == "auto":
		return isTerminal(os.Stdin) && os.Getenv("TERM") != "dumb", ""
	}
	return true, ""
}

func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// liveView runs the terminal UI for the run. It holds the other observers
// so that it starts only once they have all attached: an observer that
// fails ends the run without a detach, and the terminal must not be left
// to a view nobody will close.
type liveView struct {
	others         observers
	feed           *feed.Feed // the run's: set at attach
	stdout, stderr io.Writer
	prog           *tui.Program
	restore        func()
	restoreOnce    sync.Once
}

func newLiveView(others observers, stdout, stderr io.Writer) *liveView {
	return &liveView{others: others, stdout: stdout, stderr: stderr, restore: func() {}}
}

func (v *liveView) attach(s live) error {
	v.feed = s.feed
	// Logs written to a terminal stderr would draw over the view: until it
	// ends they go to its events pane, and are printed after it.
	if isTerminal(v.stderr) {
		if restore, err := tui.CaptureStderr(v.feed.Log); err == nil {
			v.restore = restore
		}
	}
	if err := v.others.attach(s); err != nil {
		v.giveBackStderr()
		return err
	}
	v.prog = tui.Start(s, tui.Options{Stop: s.Stop})
	go func() { // a view that fails to start gives stderr back at once
		_ = v.prog.Wait()
		v.giveBackStderr()
	}()
	return nil
}

func (v *liveView) event(e supervisor.Event) { v.others.event(e) }

func (v *liveView) result(r supervisor.Result) { v.others.result(r) }

// detach shows the summary on the view's final screen until a key is
// pressed, then on the terminal the view gives back.
func (v *liveView) detach(sum summary) {
	v.others.detach(sum)
	var text bytes.Buffer
	newPrinter(false, &text).detach(sum)
	v.prog.Finish(text.String())
	err := v.prog.Wait()
	v.giveBackStderr()
	if err != nil {
		fmt.Fprintf(v.stderr, "supervisor: live view: %v\n", err)
	}
	_, _ = v.stdout.Write(text.Bytes())
}

// giveBackStderr ends the capture and prints what was captured.
func (v *liveView) giveBackStderr() {
	v.restoreOnce.Do(func() {
		v.restore()
		for _, line := range v.feed.Logs() {
			fmt.Fprintln(v.stderr, line)
		}
	})
}
