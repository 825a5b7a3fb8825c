package tui

import (
	"strings"
	"time"

	"github.com/procpool/supervisor/supervisor"
)

// A sparkline shows sparkWidth samples of sparkStep each: the last few
// seconds. A step much shorter than a task would show mostly noise.
const (
	sparkWidth = 12
	sparkStep  = time.Second
)

// rates follows each worker's task rate, from the change in its count of
// finished tasks between two snapshots a step apart. The zero value is
// ready.
type rates struct {
	at   time.Time
	last map[int]int64     // worker id → done+failed at the last step
	hist map[int][]float64 // worker id → tasks/s, oldest first
}

func (r *rates) update(now time.Time, ws []supervisor.WorkerInfo) {
	if r.last == nil {
		r.last, r.hist = map[int]int64{}, map[int][]float64{}
	}
	dt := now.Sub(r.at)
	if dt < sparkStep && !r.at.IsZero() {
		return
	}
	seen := map[int]bool{}
	for _, w := range ws {
		seen[w.ID] = true
		n := w.Done + w.Failed
		if prev, ok := r.last[w.ID]; ok {
			r.hist[w.ID] = keepLast(append(r.hist[w.ID], float64(n-prev)/dt.Seconds()), sparkWidth)
		}
		r.last[w.ID] = n
	}
	for id := range r.last { // removed workers
		if !seen[id] {
			delete(r.last, id)
			delete(r.hist, id)
		}
	}
	r.at = now
}

// peak is the highest rate any worker has shown lately: the sparklines
// share one scale, so that rows can be compared.
func (r *rates) peak() float64 {
	hi := 0.0
	for _, h := range r.hist {
		for _, v := range h {
			hi = max(hi, v)
		}
	}
	return hi
}

const sparkRunes = "▁▂▃▄▅▆▇█"

// sparkline draws vals scaled to hi, right-aligned in width cells.
func sparkline(vals []float64, hi float64, width int) string {
	vals = vals[max(len(vals)-width, 0):]
	levels := []rune(sparkRunes)
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", width-len(vals)))
	for _, v := range vals {
		i := 0
		if hi > 0 {
			i = min(int(v/hi*float64(len(levels)-1)+0.5), len(levels)-1)
		}
		b.WriteRune(levels[i])
	}
	return b.String()
}

// throughput is the run's overall task rate over a sliding window, for the
// rate and the ETA in the header.
type throughput struct {
	samples []sample
}

type sample struct {
	at   time.Time
	done int
}

// window is long enough to smooth over a few slow tasks, short enough to
// follow a change (a paused pool, a worker added).
const window = 5 * time.Second

func (t *throughput) add(now time.Time, done int) {
	t.samples = append(t.samples, sample{now, done})
	i := 0
	for i < len(t.samples)-2 && now.Sub(t.samples[i+1].at) >= window {
		i++
	}
	t.samples = t.samples[i:]
}

// rate is tasks per second over the window, or 0 before two samples.
func (t *throughput) rate() float64 {
	if len(t.samples) < 2 {
		return 0
	}
	first, last := t.samples[0], t.samples[len(t.samples)-1]
	dt := last.at.Sub(first.at).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(last.done-first.done) / dt
}
