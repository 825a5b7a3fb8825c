package main

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	uv "github.com/charmbracelet/ultraviolet"
)

// TestLiveViewScreenshots draws the live view to SVG files for
// docs/live.md, at 120×40 and at 80×24. It runs only when asked:
//
//	SUPERVISOR_SCREENSHOTS=$PWD/docs go test -run Screenshots ./cmd/supervisor
func TestLiveViewScreenshots(t *testing.T) {
	dir := os.Getenv("SUPERVISOR_SCREENSHOTS")
	if dir == "" {
		t.Skip("set SUPERVISOR_SCREENSHOTS to a directory to draw the screenshots")
	}
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) { killScreenshots(t, dir, size[0], size[1]) })
	}
	t.Run("thread", func(t *testing.T) {
		tm := startTerminalSized(t, 120, 24, "--ui=tui", "--mode=thread", "--workers=2", "--task=sleep", "--repeat=30", "--add=hang", "250ms", "100ms")
		row := tm.waitFor(`(?m)^▶?\s+(\d) goroutine\s+busy\s+#\d+ hang`)
		if row[1] == "2" {
			tm.press(keyDown)
		}
		tm.press("k")
		tm.waitFor(`did not stop`)
		tm.writeSVG(t, filepath.Join(dir, "live-thread.svg"))
		tm.press("q")
		tm.press("q")
		tm.exitCode()
	})
	t.Run("top", func(t *testing.T) { topScreenshot(t, dir) })
}

// killScreenshots: three workers, worker 2 killed with k; at 80×24 also
// the help, at 120×40 also the final screen.
func killScreenshots(t *testing.T, dir string, cols, rows int) {
	tm := startTerminalSized(t, cols, rows, "--ui=tui", "--workers=3", "--task=sleep", "--repeat=60", "300ms", "120ms", "200ms", "80ms")
	tm.waitFor(`· ([3-9]\.\d+s|\d\d\.?\d*s)`) // a few seconds of sparkline
	tm.press(keyDown)
	tm.waitFor(`(?m)^▶\s+2 `)
	tm.press("k")
	tm.waitFor(`worker 2 started \(pid \d+\) in .*`)
	tm.waitFor(`· ([5-9]\.\d+s|\d\d\.?\d*s)`)
	tm.writeSVG(t, filepath.Join(dir, fmt.Sprintf("live-kill-%dx%d.svg", cols, rows)))
	if cols == 80 {
		tm.press("?")
		tm.waitFor(`q again forces`)
		tm.writeSVG(t, filepath.Join(dir, "live-help-80x24.svg"))
		tm.press("?")
	}
	tm.waitFor(`press any key to leave`)
	if cols == 120 {
		tm.writeSVG(t, filepath.Join(dir, "live-final.svg"))
	}
	tm.press("x")
	tm.exitCode()
}

// topScreenshot: supervisor top at 80×24, attached to a run in another
// process, after a c.
func topScreenshot(t *testing.T, dir string) {
	env := []string{"XDG_RUNTIME_DIR=" + t.TempDir()}
	run := startCLIEnv(t, env, "--task=sleep", "--workers=3", "--repeat=400", "300ms", "120ms", "200ms")
	waitFor(t, 30*time.Second, "the run", func() bool { return strings.Contains(run.stderr.String(), "workers ready") })
	tm := startTerminalEnv(t, 80, 24, env, "top")
	tm.waitFor(`· ([3-9]\.\d+s|\d\d\.?\d*s)`)
	tm.press(keyDown)
	tm.waitFor(`(?m)^▶\s+2 +busy`)
	tm.press("c")
	tm.waitFor(`worker 2: task \d+ \(sleep\) cancelled on request`)
	tm.writeSVG(t, filepath.Join(dir, "live-top.svg"))
	tm.press("q")
	tm.exitCode()
}

// The terminal's palette: a dark theme.
var (
	svgFg = color.RGBA{0xd0, 0xd0, 0xd0, 0xff}
	svgBg = color.RGBA{0x1c, 0x1c, 0x1c, 0xff}
)

const cellW, cellH = 8.4, 17.0 // px, for a 14px monospace font

// writeSVG draws the emulator's screen as it is now.
func (tm *terminal) writeSVG(t *testing.T, path string) {
	t.Helper()
	tm.mu.Lock()
	var b strings.Builder
	w, h := tm.emu.Width(), tm.emu.Height()
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14">`+"\n",
		float64(w)*cellW+16, float64(h)*cellH+16)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" rx="6" fill="%s"/>`+"\n", hexColor(svgBg))
	for y := range h {
		for x := 0; x < w; {
			c := tm.emu.CellAt(x, y)
			n := max(c.Width, 1)
			svgCell(&b, c, x, y)
			x += n
		}
	}
	tm.mu.Unlock()
	b.WriteString("</svg>\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func svgCell(b *strings.Builder, c *uv.Cell, x, y int) {
	if c == nil {
		return
	}
	fg, bg := colorOr(c.Style.Fg, svgFg), colorOr(c.Style.Bg, nil)
	if c.Style.Attrs&uv.AttrReverse != 0 {
		fg, bg = colorOr(bg, svgBg), fg
	}
	px, py := 8+float64(x)*cellW, 8+float64(y)*cellH
	if bg != nil {
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, px, py, cellW*float64(max(c.Width, 1))+0.5, cellH+0.5, hexColor(bg))
	}
	if strings.TrimSpace(c.Content) == "" {
		return
	}
	if svgBlock(b, c.Content, px, py, fg) {
		return
	}
	attrs := ""
	if c.Style.Attrs&uv.AttrBold != 0 {
		attrs += ` font-weight="bold"`
	}
	if c.Style.Attrs&uv.AttrFaint != 0 {
		attrs += ` opacity="0.6"`
	}
	if c.Style.Underline != 0 {
		attrs += ` text-decoration="underline"`
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="%s"%s>%s</text>`+"\n", px, py+cellH-4, hexColor(fg), attrs, xmlEscape(c.Content))
}

// svgBlock draws the block elements the view uses (bars, sparklines) as
// rectangles: fonts draw them at uneven sizes, or not at all.
func svgBlock(b *strings.Builder, s string, px, py float64, fg color.Color) bool {
	r := []rune(s)[0]
	height, opacity := 0.0, 1.0
	switch {
	case r >= '▁' && r <= '█':
		height = cellH * float64(r-'▁'+1) / 8
	case r == '░':
		height, opacity = cellH, 0.3
	default:
		return false
	}
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" opacity="%.1f"/>`+"\n",
		px, py+cellH-height, cellW+0.3, height, hexColor(fg), opacity)
	return true
}

func colorOr(c, def color.Color) color.Color {
	if c == nil {
		return def
	}
	return c
}

func hexColor(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
