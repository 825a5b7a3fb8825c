package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/procpool/supervisor/internal/units"
	"github.com/procpool/supervisor/supervisor"
)

// redrawEvery keeps the rate and ETA current when no line is printed.
const redrawEvery = 200 * time.Millisecond

// progressBar draws a progress line (done/total, rate, ETA) at the bottom
// of a terminal stderr, under the result and event lines. Writers from
// above() clear the bar before each line and draw it again after, so the
// lines scroll up and the bar stays under them.
type progressBar struct {
	nop
	w        io.Writer
	finished atomic.Int64

	mu      sync.Mutex
	s       live
	begin   time.Time
	shown   bool // the bar is on the screen
	stopped bool // the run has ended: no more drawing
	quit    chan struct{}
	done    chan struct{}
}

func newProgressBar(w io.Writer) *progressBar {
	return &progressBar{w: w, quit: make(chan struct{}), done: make(chan struct{})}
}

func (p *progressBar) attach(s live) error {
	p.mu.Lock()
	p.s, p.begin = s, time.Now()
	p.mu.Unlock()
	go p.redraw()
	return nil
}

func (p *progressBar) redraw() {
	defer close(p.done)
	t := time.NewTicker(redrawEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			p.mu.Lock()
			p.draw()
			p.mu.Unlock()
		case <-p.quit:
			return
		case <-p.s.Done(): // also when the run ends without a detach
			return
		}
	}
}

func (p *progressBar) event(e supervisor.Event) {
	if _, ok := e.(supervisor.TaskFinished); ok {
		p.finished.Add(1)
	}
}

// detach removes the bar before the summary is printed.
func (p *progressBar) detach(summary) {
	close(p.quit)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	p.stopped = true
}

// above returns a writer for lines that must appear above the bar.
func (p *progressBar) above(w io.Writer) io.Writer {
	return writerFunc(func(b []byte) (int, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.clear()
		n, err := w.Write(b)
		if len(b) > 0 && b[len(b)-1] == '\n' {
			p.draw()
		}
		return n, err
	})
}

func (p *progressBar) clear() {
	if p.shown {
		io.WriteString(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// draw puts the bar on the current line; the caller holds p.mu.
func (p *progressBar) draw() {
	if p.stopped || p.s.Supervisor == nil {
		return
	}
	io.WriteString(p.w, "\r\x1b[K"+p.line(time.Now()))
	p.shown = true
}

func (p *progressBar) line(now time.Time) string {
	done, total := int(p.finished.Load()), p.s.Submitted()
	elapsed := now.Sub(p.begin)
	rate := float64(done) / max(elapsed.Seconds(), 1e-9)
	eta := "-"
	if rate > 0 && total > done {
		eta = units.Duration(time.Duration(float64(total-done) / rate * float64(time.Second)).Round(100 * time.Millisecond))
	}
	stats := fmt.Sprintf(" %d/%d  %.1f tasks/s  eta %s", done, total, rate, eta)
	width := 30
	if cols, _, err := term.GetSize(fdOf(p.w)); err == nil {
		width = min(width, cols-len(stats)-3)
	}
	if width < 5 {
		return strings.TrimSpace(stats)
	}
	filled := 0
	if total > 0 {
		filled = min(done*width/total, width)
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "]" + stats
}

func fdOf(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		return int(f.Fd())
	}
	return -1
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }
