package bench

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// pyColor draws Python's figures on every chart: one colour for the peer,
// apart from the cases' palette.
var pyColor = color.RGBA{R: 0x30, G: 0x30, B: 0x30, A: 0xff}

// A chartPoint is one figure with the range around it: a median drawn with the
// spread the run recorded (min to p99, say), or lo = hi = mid when only
// the median is known.
type chartPoint struct {
	x, mid, lo, hi float64
}

// ranges are points as gonum's error bars want them.
type ranges []chartPoint

func (r ranges) Len() int                    { return len(r) }
func (r ranges) XY(i int) (float64, float64) { return r[i].x, r[i].mid }
func (r ranges) YError(i int) (float64, float64) {
	return r[i].mid - r[i].lo, r[i].hi - r[i].mid
}

// addRanges draws pts as markers with bars over their ranges, in c, and
// names them in the legend (unless name is empty). It counts the bars it draws, so that tests can
// tell a chart shows ranges.
func (f *figure) addRanges(name string, pts []chartPoint, c color.Color, shape draw.GlyphDrawer) error {
	if len(pts) == 0 {
		return nil
	}
	s, err := plotter.NewScatter(ranges(pts))
	if err != nil {
		return err
	}
	s.Color, s.Shape, s.Radius = c, shape, vg.Points(3.5)
	bars, err := plotter.NewYErrorBars(ranges(pts))
	if err != nil {
		return err
	}
	bars.Color, bars.CapWidth = c, vg.Points(6)
	f.Add(bars, s)
	if name != "" {
		f.addLegend(name, s)
	}
	for _, p := range pts {
		if p.hi > p.lo {
			f.ranges++
		}
	}
	return nil
}

// pyRoundTrip is Python's no-op round trip per executor: p50 with a bar
// up to p99, all micro.py records.
func pyRoundTrip(r *Report) (names []string, pts [][]chartPoint) {
	m := r.pyMicro()
	if m == nil {
		return nil, nil
	}
	for _, rt := range m.RoundTrip {
		names = append(names, "python "+rt.Executor)
		mid, hi := float64(rt.P50Ns)/1e3, float64(rt.P99Ns)/1e3
		pts = append(pts, []chartPoint{{mid: mid, lo: mid, hi: max(hi, mid)}})
	}
	return names, pts
}

// pyPoolStart is Python's pool of one process, construction to the first
// result, p50: the nearest it has to one worker's start-up.
func pyPoolStart(r *Report) (names []string, pts [][]chartPoint) {
	m := r.pyMicro()
	if m == nil {
		return nil, nil
	}
	for _, ps := range m.PoolStart {
		if ps.Executor == "process" && ps.Workers == 1 {
			mid := float64(ps.P50Ns) / 1e3
			names, pts = append(names, "python pool of 1"), append(pts, []chartPoint{{mid: mid, lo: mid, hi: mid}})
		}
	}
	return names, pts
}

// pyThroughput adds Python's map() lines: chunksize 1 beside the pipelined
// lines, 100 beside the batched ones.
func pyThroughput(f *figure, r *Report) error {
	m := r.pyMicro()
	if m == nil {
		return nil
	}
	for i, chunk := range []int{1, 100} {
		var xys plotter.XYs
		for _, t := range m.Throughput {
			if t.Chunksize == chunk {
				xys = append(xys, plotter.XY{X: float64(t.Workers), Y: t.TasksPerS})
			}
		}
		if err := addLine(f, fmt.Sprintf("python map, chunksize=%d", chunk), xys, pyColor, i); err != nil {
			return err
		}
	}
	return nil
}

// pyPayload adds Python's echo line; micro.py records the p50 alone.
func pyPayload(f *figure, r *Report) error {
	m := r.pyMicro()
	if m == nil {
		return nil
	}
	var xys plotter.XYs
	for _, p := range m.Payload {
		if p.MBPerS > 0 {
			xys = append(xys, plotter.XY{X: float64(p.Bytes), Y: p.MBPerS})
		}
	}
	return addLine(f, "python process (p50)", xys, pyColor, 0)
}

// pyPrimes is seed_primes.py's wall for list, pool start included, at the
// one worker count it runs.
func pyPrimes(r *Report, list string) []chartPoint {
	if r.Python == nil {
		return nil
	}
	run := r.Python.primes
	if list != "seed" {
		run = r.Python.primesLong
	}
	if run == nil || run.WallNs == 0 {
		return nil
	}
	ms := float64(run.WallNs) / 1e6
	return []chartPoint{{x: float64(run.Workers), mid: ms, lo: ms, hi: ms}}
}

// pyMicro is micro.py's figures, or nil when Python did not run them.
func (r *Report) pyMicro() *pyMicro {
	if r.Python == nil {
		return nil
	}
	return r.Python.micro
}
