package bench

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Chart size: readable in a README at its natural size, and small as PNG.
const (
	chartW = 16 * vg.Centimeter
	chartH = 10 * vg.Centimeter
)

// boxQuantiles is how many quantiles of a sample a box plot draws: the
// distribution's shape without tens of thousands of points.
const boxQuantiles = 1000

// legendW is the strip on the right that holds the legend, outside the
// data: inside, it would hide the lines it names.
const legendW = 4.4 * vg.Centimeter

// A figure is a plot and its legend, drawn beside it.
type figure struct {
	*plot.Plot
	legend  plot.Legend
	entries int
	ranges  int // range bars drawn (addRanges)
}

func (f *figure) addLegend(name string, thumbs ...plot.Thumbnailer) {
	f.legend.Add(name, thumbs...)
	f.entries++
}

// save writes the figure in the format its file name ends with.
func (f *figure) save(file string) error {
	c, err := draw.NewFormattedCanvas(chartW, chartH, strings.TrimPrefix(filepath.Ext(file), "."))
	if err != nil {
		return err
	}
	dc := draw.New(c)
	if f.entries > 0 {
		right := dc
		dc.Max.X -= legendW
		right.Min.X = dc.Max.X
		f.legend.Top, f.legend.Left = true, true
		f.legend.TextStyle.Font.Size = vg.Points(9)
		f.legend.YOffs = -f.Title.TextStyle.Height(f.Title.Text) - vg.Points(8)
		f.legend.Draw(right)
	}
	f.Draw(dc)
	out, err := os.Create(file)
	if err != nil {
		return err
	}
	_, err = c.WriteTo(out)
	return errors.Join(err, out.Close())
}

// A chart draws one figure of the report, or returns nil when the
// measurement behind it did not run.
type chart struct {
	name string
	draw func(*Report) (*figure, error)
}

var charts = []chart{
	{"roundtrip", roundTripChart},
	{"startup", startupChart},
	{"throughput", throughputChart},
	{"payload", payloadChart},
	{"primes", primesChart},
	{"primes-wall", primesWallChart},
}

// Plot writes the report's charts to dir, each as PNG and SVG, and
// returns the files it wrote.
func Plot(r *Report, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for _, c := range charts {
		p, err := c.draw(r)
		if err != nil {
			return files, fmt.Errorf("chart %s: %w", c.name, err)
		}
		if p == nil {
			continue
		}
		for _, ext := range []string{"png", "svg"} {
			f := filepath.Join(dir, "bench-"+c.name+"."+ext)
			if err := p.save(f); err != nil {
				return files, err
			}
			files = append(files, f)
		}
	}
	return files, nil
}

func newPlot(title, x, y string) *figure {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Add(plotter.NewGrid())
	return &figure{Plot: p, legend: plot.NewLegend()}
}

// logY puts the Y axis on a log scale, the modes being orders of
// magnitude apart, with ticks labelled by label.
func logY(p *figure, label func(float64) string) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{label: label}
}

// logTicks labels 1, 2, 3 and 5 in every decade: gonum's LogTicks labels
// only powers of ten, and a range narrower than a decade gets one label
// or none.
type logTicks struct{ label func(float64) string }

func (t logTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for decade := math.Pow10(int(math.Floor(math.Log10(lo)))); decade <= hi; decade *= 10 {
		for i := 1; i < 10; i++ {
			v := decade * float64(i)
			if v < lo || v > hi {
				continue
			}
			tick := plot.Tick{Value: v}
			if i == 1 || i == 2 || i == 3 || i == 5 {
				tick.Label = t.label(v)
			}
			ticks = append(ticks, tick)
		}
	}
	return ticks
}

// si labels a tick with k, M or G.
func si(v float64) string {
	switch {
	case v >= 1e9:
		return trimZero(v/1e9) + "G"
	case v >= 1e6:
		return trimZero(v/1e6) + "M"
	case v >= 1e3:
		return trimZero(v/1e3) + "k"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// boxChart draws one box per sample, in microseconds (the box the middle
// half, the whiskers 1.5 times its height), then the peers' figures beside
// them: peers[i] named peerNames[i], as points with their ranges.
func boxChart(title string, names []string, samples [][]time.Duration, peerNames []string, peers [][]chartPoint, peerLegend string) (*figure, error) {
	p := newPlot(title, "", "µs (log scale)")
	logY(p, si)
	for i, s := range samples {
		q := quantiles(s, boxQuantiles)
		vals := make(plotter.Values, len(q))
		for j, d := range q {
			vals[j] = max(float64(d)/1e3, 1e-3) // a log scale has no zero
		}
		b, err := plotter.NewBoxPlot(vg.Points(24), float64(i), vals)
		if err != nil {
			return nil, err
		}
		b.FillColor = plotutil.Color(i)
		p.Add(b)
	}
	var pts []chartPoint
	for i, ps := range peers {
		for _, pt := range ps {
			pt.x = float64(len(names) + i)
			pts = append(pts, pt)
		}
	}
	if err := p.addRanges(peerLegend, pts, pyColor, draw.PyramidGlyph{}); err != nil {
		return nil, err
	}
	p.NominalX(append(slices.Clone(names), peerNames...)...)
	return p, nil
}

func roundTripChart(r *Report) (*figure, error) {
	if len(r.RoundTrip) == 0 {
		return nil, nil
	}
	var names []string
	var samples [][]time.Duration
	for _, rt := range r.RoundTrip {
		if len(rt.samples) == 0 {
			continue // a peer known by its percentiles only (Python's micro.py)
		}
		names, samples = append(names, rt.Case), append(samples, rt.samples)
	}
	pyNames, pyPts := pyRoundTrip(r)
	return boxChart("No-op round trip, Submit → Result, one at a time", names, samples, pyNames, pyPts, "python: p50 to p99")
}

func startupChart(r *Report) (*figure, error) {
	if len(r.Startup) == 0 {
		return nil, nil
	}
	var names []string
	var samples [][]time.Duration
	for _, s := range r.Startup {
		names, samples = append(names, s.Case), append(samples, s.samples)
	}
	pyNames, pyPts := pyPoolStart(r)
	p, err := boxChart("Worker start-up → first reply", names, samples, pyNames, pyPts, "python pool of 1 (p50)")
	if err != nil {
		return nil, err
	}
	return p, poolStartRanges(p, r, names)
}

// poolStartRanges marks, beside each case's box, its pool of 1 from New to
// the first result: the p50, with a bar from the fastest to p99.
func poolStartRanges(p *figure, r *Report, names []string) error {
	var pts []chartPoint
	for i, c := range names {
		for _, ps := range r.PoolStart {
			if ps.Case == c && ps.Workers == 1 && ps.P50Ns > 0 {
				pts = append(pts, chartPoint{x: float64(i) + 0.3, mid: float64(ps.P50Ns) / 1e3,
					lo: float64(ps.MinNs) / 1e3, hi: float64(max(ps.P99Ns, ps.P50Ns)) / 1e3})
			}
		}
	}
	return p.addRanges("pool of 1: p50, min–p99", pts, color.Black, draw.CircleGlyph{})
}

// caseColor keeps a case's colour the same on every chart.
func caseColor(r *Report, c string) color.Color {
	i := slices.Index(columns(r, "thread+gil"), c)
	return plotutil.Color(max(i, 0))
}

func throughputChart(r *Report) (*figure, error) {
	if len(r.Throughput) == 0 {
		return nil, nil
	}
	p := newPlot("No-op throughput", "workers", "tasks/s (log scale)")
	logY(p, si)
	for _, c := range columns(r) {
		for i, shape := range []string{shapePipelined, shapeBatched} {
			var xys plotter.XYs
			for _, t := range r.Throughput {
				if t.Case == c && t.Shape == shape && !t.Cancellable {
					xys = append(xys, plotter.XY{X: float64(t.Workers), Y: t.TasksPerS})
				}
			}
			if err := addLine(p, c+" "+shape, xys, caseColor(r, c), i); err != nil {
				return nil, err
			}
		}
	}
	if err := pyThroughput(p, r); err != nil {
		return nil, err
	}
	p.X.Tick.Marker = integerTicks(r.Settings.Workers)
	return p, nil
}

// addLine adds a line with points; dashes picks plotutil's dash pattern.
func addLine(p *figure, name string, xys plotter.XYs, c color.Color, dashes int) error {
	if len(xys) == 0 {
		return nil
	}
	l, s, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	l.Color, s.Color = c, c
	l.Dashes = plotutil.Dashes(dashes)
	p.Add(l, s)
	p.addLegend(name, l, s)
	return nil
}

func integerTicks(n int) plot.ConstantTicks {
	var ticks plot.ConstantTicks
	for i := 1; i <= n; i++ {
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: fmt.Sprint(i)})
	}
	return ticks
}

func payloadChart(r *Report) (*figure, error) {
	if !slices.ContainsFunc(r.Payload, func(p Payload) bool { return p.MBPerS > 0 }) {
		return nil, nil
	}
	p := newPlot("Payload echo, one at a time: size / p50 round trip, bar p99 to fastest", "payload, bytes (log scale)", "MB/s (log scale)")
	logY(p, si)
	p.X.Scale = plot.LogScale{}
	var ticks plot.ConstantTicks
	for _, s := range r.Settings.Sizes {
		ticks = append(ticks, plot.Tick{Value: float64(s), Label: compactSize(s)})
	}
	p.X.Tick.Marker = ticks
	for _, c := range columns(r) {
		var xys plotter.XYs
		for _, pl := range r.Payload {
			if pl.Case == c && pl.MBPerS > 0 {
				xys = append(xys, plotter.XY{X: float64(pl.Bytes), Y: pl.MBPerS})
			}
		}
		if err := addLine(p, c, xys, caseColor(r, c), 0); err != nil {
			return nil, err
		}
		if err := p.addRanges("", payloadRanges(r, c), caseColor(r, c), draw.CircleGlyph{}); err != nil {
			return nil, err
		}
	}
	if err := pyPayload(p, r); err != nil {
		return nil, err
	}
	return p, nil
}

// payloadRanges are a case's MB/s at its p50 round trip, with the range
// from its p99 to its fastest.
func payloadRanges(r *Report, c string) []chartPoint {
	var pts []chartPoint
	for _, pl := range r.Payload {
		if pl.Case != c || pl.MBPerS <= 0 || pl.P99Ns <= 0 || pl.MinNs <= 0 {
			continue
		}
		mbps := func(ns int64) float64 { return float64(pl.Bytes) * 1e3 / float64(ns) }
		pts = append(pts, chartPoint{x: float64(pl.Bytes), mid: pl.MBPerS, lo: min(mbps(pl.P99Ns), pl.MBPerS), hi: max(mbps(pl.MinNs), pl.MBPerS)})
	}
	return pts
}

// compactSize labels a payload size briefly, "16M": on a log axis 16 MiB
// and 64 MiB are close.
func compactSize(n int) string {
	return strings.NewReplacer(" KiB", "K", " MiB", "M", " GiB", "G", " B", "").Replace(fmtBytes(int64(n)))
}

func primesChart(r *Report) (*figure, error) {
	if len(r.Primes) == 0 {
		return nil, nil
	}
	last := r.Primes[len(r.Primes)-1]
	list := last.List // the longer list: steadier
	p := newPlot(fmt.Sprintf("CPU-bound primes (%s list): speedup over 1 worker (medians of %d runs)", list, last.Runs), "workers", "speedup")
	for _, c := range columns(r, "thread+gil") {
		var xys plotter.XYs
		for _, pr := range r.Primes {
			if pr.Case == c && pr.List == list {
				xys = append(xys, plotter.XY{X: float64(pr.Workers), Y: pr.Speedup})
			}
		}
		if err := addLine(p, c, xys, caseColor(r, c), 0); err != nil {
			return nil, err
		}
	}
	ideal, err := plotter.NewLine(plotter.XYs{{X: 1, Y: 1}, {X: float64(r.Settings.Workers), Y: float64(r.Settings.Workers)}})
	if err != nil {
		return nil, err
	}
	ideal.Color, ideal.Dashes = color.Gray{Y: 160}, plotutil.Dashes(1)
	p.Add(ideal)
	p.addLegend("ideal", ideal)
	p.X.Tick.Marker = integerTicks(r.Settings.Workers)
	return p, nil
}

// primesWallChart is the primes' wall time, pool start included, as
// seed_primes.py measures it: the chart Python's run can be drawn on, at
// the worker count it ran with. Each figure is the median of its runs;
// the report keeps no range for it.
func primesWallChart(r *Report) (*figure, error) {
	if len(r.Primes) == 0 {
		return nil, nil
	}
	last := r.Primes[len(r.Primes)-1]
	p := newPlot(fmt.Sprintf("Primes (%s list): wall with pool start, median of %d", last.List, last.Runs), "workers", "ms")
	for _, c := range columns(r, "thread+gil") {
		var xys plotter.XYs
		for _, pr := range r.Primes {
			if pr.Case == c && pr.List == last.List {
				xys = append(xys, plotter.XY{X: float64(pr.Workers), Y: float64(pr.WallWithStartNs) / 1e6})
			}
		}
		if err := addLine(p, c, xys, caseColor(r, c), 0); err != nil {
			return nil, err
		}
	}
	if err := p.addRanges("python process pool", pyPrimes(r, last.List), pyColor, draw.PyramidGlyph{}); err != nil {
		return nil, err
	}
	p.Y.Min, p.Y.Max = 0, p.Y.Max*1.1 // room around the markers
	p.X.Min, p.X.Max = p.X.Min-0.15, p.X.Max+0.15
	p.Y.Tick.Marker = plainTicks{}
	p.X.Tick.Marker = integerTicks(r.Settings.Workers)
	return p, nil
}

// plainTicks are gonum's default ticks labelled without trailing zeros:
// "250", not "250.00".
type plainTicks struct{}

func (plainTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i, t := range ticks {
		if t.Label != "" {
			ticks[i].Label = strconv.FormatFloat(t.Value, 'g', -1, 64)
		}
	}
	return ticks
}
