package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteText prints the report as fixed-width tables, a column per mode and
// data path.
func WriteText(w io.Writer, r *Report) error {
	m := r.Machine
	fmt.Fprintf(w, "supervisor bench: %s %s/%s, %d CPUs, kernel %s; up to %d %s%s\n\n", m.GoVersion, m.OS, m.Arch,
		m.CPUs, m.Kernel, r.Settings.Workers, plural(r.Settings.Workers, "worker", "workers"), quickNote(r.Settings.Quick))
	for _, section := range []func(*Report) *table{startupTable, roundTripTable, scalingTable, throughputTable,
		payloadTable, primesTable, memoryTable, replaceTable, fetchTable, pythonTable} {
		section(r).write(w)
	}
	writeHeadlines(w, r)
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
	_, err := fmt.Fprintf(w, "elapsed %s\n", fmtNs(r.ElapsedNs))
	return err
}

func quickNote(q bool) string {
	if q {
		return " (--quick: fewer samples)"
	}
	return ""
}

// columns are the cases measured: the data paths, then thread mode.
func columns(r *Report, extra ...string) []string {
	var out []string
	for _, p := range r.Settings.IPCs {
		out = append(out, "process/"+p)
	}
	return append(append(out, "thread"), extra...)
}

func find[T any](xs []T, ok func(T) bool) (T, bool) {
	for _, x := range xs {
		if ok(x) {
			return x, true
		}
	}
	var zero T
	return zero, false
}

// byCase makes a cell function from a lookup by case name.
func byCase[T any](xs []T, name func(T) string, cell func(T) string) func(string) string {
	return func(col string) string {
		if x, ok := find(xs, func(x T) bool { return name(x) == col }); ok {
			return cell(x)
		}
		return ""
	}
}

func startupTable(r *Report) *table {
	t := newTable("start-up: spawn → handshake → first reply (process); goroutine start → first reply (thread)", columns(r))
	name := func(s Startup) string { return s.Case }
	t.row("one worker p50, median of rounds (range)", byCase(r.Startup, name, func(s Startup) string {
		if s.P50Spread == nil {
			return fmtNs(s.P50Ns)
		}
		return fmtSpread(s.P50Spread, nsOf)
	}))
	t.row("one worker p99", byCase(r.Startup, name, func(s Startup) string { return fmtNs(s.P99Ns) }))
	var sizes []int
	for _, p := range r.PoolStart {
		if !slices.Contains(sizes, p.Workers) {
			sizes = append(sizes, p.Workers)
		}
	}
	for _, n := range sizes {
		ps := slices.DeleteFunc(slices.Clone(r.PoolStart), func(p PoolStart) bool { return p.Workers != n })
		t.row(fmt.Sprintf("pool of %d: New → first result p50", n), byCase(ps,
			func(p PoolStart) string { return p.Case }, func(p PoolStart) string { return fmtNs(p.P50Ns) }))
	}
	if len(r.PoolStart) > 0 {
		t.note("pools start without a warm spare (Config.Spares -1); Python's pools have none either")
	}
	return t
}

func roundTripTable(r *Report) *table {
	var cols []string
	for _, x := range r.RoundTrip {
		if !slices.Contains(cols, x.Case) {
			cols = append(cols, x.Case)
		}
	}
	t := newTable("no-op round trip, one task at a time on one worker; floors and peers measured in the same rounds", cols)
	name := func(x RoundTrip) string { return x.Case }
	cell := func(f func(RoundTrip) int64) func(string) string {
		return byCase(r.RoundTrip, name, func(x RoundTrip) string {
			if v := f(x); v > 0 {
				return fmtNs(v)
			}
			return ""
		})
	}
	spread := func(f func(RoundTrip) *Spread, fm func(float64) string) func(string) string {
		return byCase(r.RoundTrip, name, func(x RoundTrip) string { return fmtSpread(f(x), fm) })
	}
	t.row("p50, median of rounds (range)", spread(func(x RoundTrip) *Spread { return x.P50 }, nsOf))
	t.row("p50 ÷ best floor, same round", spread(func(x RoundTrip) *Spread { return x.VsFloor }, timesOf))
	t.row("CPU per round trip, both sides", spread(func(x RoundTrip) *Spread { return x.CPUPerTask }, cpuNsOf))
	t.row("Submit → Result p50", cell(func(x RoundTrip) int64 { return x.Caller.P50Ns }))
	t.row("Submit → Result p99", cell(func(x RoundTrip) int64 { return x.Caller.P99Ns }))
	t.row("to the worker and back p50", cell(func(x RoundTrip) int64 { return x.Worker.P50Ns }))
	t.row("overhead p50", cell(func(x RoundTrip) int64 { return x.Overhead.P50Ns }))
	t.row("overhead p99", cell(func(x RoundTrip) int64 { return x.Overhead.P99Ns }))
	t.row("time in the worker p50", cell(func(x RoundTrip) int64 { return x.Exec.P50Ns }))
	if len(r.RoundTrip) > 0 {
		t.note("floors: one byte to a child process and back, blocking read(2)/write(2), nothing else; go-plugin: a plain go-plugin gRPC plugin, one unary call per task")
		t.note("each figure but the first three is from the round whose p50 is the median; %d rounds of %d round trips per column", r.Settings.Rounds, r.RoundTrip[0].Caller.N)
		t.note("overhead = to the worker and back − time in the worker (Result.Overhead)")
	}
	return t
}

func scalingTable(r *Report) *table {
	var cols []string
	for _, x := range r.Scaling {
		cols = append(cols, fmt.Sprintf("%d %s", x.Workers, plural(x.Workers, "worker", "workers")))
	}
	t := newTable("no-op round trip as the pool grows: one task at a time, process/frame", cols)
	cellOf := func(f func(Scaling) string) func(string) string {
		return func(col string) string {
			for _, x := range r.Scaling {
				if fmt.Sprintf("%d %s", x.Workers, plural(x.Workers, "worker", "workers")) == col {
					return f(x)
				}
			}
			return ""
		}
	}
	t.row("p50, median of rounds (range)", cellOf(func(x Scaling) string { return fmtSpread(x.P50Spread, nsOf) }))
	t.row("÷ one worker, same round", cellOf(func(x Scaling) string { return fmtSpread(x.VsOne, timesOf) }))
	t.row("p99", cellOf(func(x Scaling) string { return fmtNs(x.P99Ns) }))
	if len(r.Scaling) > 0 {
		t.note("the worker idle most recently takes the next task, so a lone caller keeps one warm worker busy")
	}
	return t
}

func throughputTable(r *Report) *table {
	s := r.Settings
	cols := columns(r)
	for _, x := range r.Throughput {
		if !slices.Contains(cols, x.Case) {
			cols = append(cols, x.Case)
		}
	}
	t := newTable(fmt.Sprintf("no-op throughput, tasks/s, median of rounds (range): pipelined (up to %d in flight per worker, one task per message) and batched (%d per message)",
		s.InFlight, s.Chunksize), cols)
	for _, pt := range (Options{Workers: s.Workers}).points() {
		pts := slices.DeleteFunc(slices.Clone(r.Throughput), func(x Throughput) bool {
			return x.Workers != pt.workers || x.Shape != pt.shape || x.Cancellable != pt.cancellable
		})
		name := func(x Throughput) string { return x.Case }
		t.row(pt.String(), byCase(pts, name, func(x Throughput) string {
			if x.Rate == nil {
				return fmtRate(x.TasksPerS)
			}
			return fmtSpread(x.Rate, rateOf)
		}))
		if !pt.cancellable {
			t.row(pt.String()+": CPU per task", byCase(pts, name, func(x Throughput) string { return fmtSpread(x.CPUPerTask, cpuNsOf) }))
		}
	}
	if len(r.Throughput) > 0 {
		t.note("thread mode runs one task at a time per goroutine (InFlight 1); each point runs %s per round", fmtNs(s.DurationNs/int64(max(s.Rounds, 1))))
		t.note("go-plugin: %d callers per plugin process, one unary call per task; python/process: ProcessPoolExecutor.map, chunksize 1 and %d", pluginCallers, s.Chunksize)
		t.note("CPU per task: the supervisor and its worker processes together")
		t.note("Map runs under a context that cannot be cancelled, as Python's map, except on the cancellable-ctx row")
	}
	return t
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func payloadTable(r *Report) *table {
	t := newTable("payload echo, one at a time on one worker: p50 round trip, and size / p50", columns(r))
	for _, size := range r.Settings.Sizes {
		ps := slices.DeleteFunc(slices.Clone(r.Payload), func(p Payload) bool { return p.Bytes != size })
		t.row(fmtBytes(int64(size)), byCase(ps, func(p Payload) string { return p.Case }, payloadCell))
	}
	if len(r.Payload) > 0 {
		t.note("MB/s counts the payload once although it crosses twice, as micro.py does; thread mode copies nothing: the task gets the caller's slice, so it has no MB/s")
	}
	writeLimitChecks(t, r.PayloadLimit)
	return t
}

// writeLimitChecks says what a payload over the limit got, once for all
// the data paths that got the same.
func writeLimitChecks(t *table, checks []LimitCheck) {
	var done []string
	for _, l := range checks {
		if slices.Contains(done, l.Error) {
			continue
		}
		done = append(done, l.Error)
		var paths []string
		ok := true
		for _, m := range checks {
			if m.Error == l.Error {
				paths, ok = append(paths, m.Case), ok && m.OK()
			}
		}
		verdict := "refused as it should be"
		if !ok {
			verdict = "NOT the clear error expected"
		}
		t.note("over the limit (%s + 1 byte) on %s: %s: %q", fmtBytes(int64(l.LimitBytes)), strings.Join(paths, ", "), verdict, l.Error)
	}
}

func payloadCell(p Payload) string {
	if p.Error != "" {
		return "over the limit"
	}
	if p.Mode == "thread" {
		return fmtNs(p.P50Ns) + " (shared)"
	}
	if p.Rate != nil && p.Rate.Runs > 1 {
		return fmt.Sprintf("%s %s", fmtNs(p.P50Ns), fmtSpread(p.Rate, mbpsOf))
	}
	return fmt.Sprintf("%s %.0f MB/s", fmtNs(p.P50Ns), p.MBPerS)
}

func primesTable(r *Report) *table {
	t := newTable("CPU-bound: the seed's primes; wall from the first Submit to the last result, on running workers", columns(r, "thread+gil"))
	var lists []string
	for _, p := range r.Primes {
		if !slices.Contains(lists, p.List) {
			lists = append(lists, p.List)
		}
	}
	for _, list := range lists {
		for w := 1; w <= r.Settings.Workers; w++ {
			ps := slices.DeleteFunc(slices.Clone(r.Primes), func(p Primes) bool { return p.List != list || p.Workers != w })
			if len(ps) == 0 {
				continue
			}
			name := func(p Primes) string { return p.Case }
			label := fmt.Sprintf("%s list (%d), %d %s", list, ps[0].Numbers, w, plural(w, "worker", "workers"))
			t.row(label+": wall", byCase(ps, name, func(p Primes) string {
				if p.Wall == nil {
					return fmtNs(p.WallNs)
				}
				return fmtSpread(p.Wall, nsOf)
			}))
			if w > 1 {
				t.row(label+": speedup", byCase(ps, name, func(p Primes) string { return fmt.Sprintf("%.2f×", p.Speedup) }))
			}
			t.row(label+": ÷ thread", byCase(ps, name, func(p Primes) string { return fmt.Sprintf("%.2f", p.VsThread) }))
		}
	}
	if len(r.Primes) > 0 {
		t.note("speedup = wall at 1 worker / wall; ÷ thread = wall / thread mode's wall at as many workers; the answers are the same in every column")
	}
	return t
}

func memoryTable(r *Report) *table {
	t := newTable(fmt.Sprintf("idle memory per worker: processes from smaps_rollup (%d warmed, idle); goroutines as the supervisor's growth", r.Settings.Workers), columns(r))
	g := r.GoroutineMemory
	cell := func(proc func(Memory) int64, thread func(*GoroutineMemory) float64) func(string) string {
		return func(col string) string {
			if col == "thread" && g != nil && thread != nil {
				return fmtBytes(int64(thread(g)))
			}
			if m, ok := find(r.Memory, func(m Memory) bool { return m.Case == col }); ok && proc != nil {
				return fmtBytes(proc(m))
			}
			return ""
		}
	}
	t.row("RSS", cell(func(m Memory) int64 { return m.AvgRSS }, func(g *GoroutineMemory) float64 { return g.RSSPer }))
	t.row("Pss", cell(func(m Memory) int64 { return m.AvgPss }, nil))
	t.row("private", cell(func(m Memory) int64 { return m.AvgPrivate }, func(g *GoroutineMemory) float64 { return g.PrivatePer }))
	t.row("Go heap + stacks", cell(nil, func(g *GoroutineMemory) float64 { return g.HeapStackPer }))
	t.row("supervisor RSS beside them", cell(func(m Memory) int64 { return m.SupervisorRSS }, nil))
	if g != nil {
		t.note("thread: the supervisor's growth over %d goroutine workers, per worker (%.1f goroutines each); a new goroutine's stack: %s",
			g.Goroutines, g.GoroutinesPer, fmtBytes(g.StackStart))
	}
	return t
}

func replaceTable(r *Report) *table {
	t := newTable("kill → replacement ready: SIGKILL to an idle worker process; in thread mode, a task that ignores cancellation is abandoned", columns(r))
	for _, kind := range []string{"warm", "cold", "abandoned"} {
		rs := slices.DeleteFunc(slices.Clone(r.Replace), func(x Replace) bool { return x.Spare != kind })
		if len(rs) == 0 {
			continue
		}
		name := func(x Replace) string { return x.Case }
		label := map[string]string{"warm": "warm spare", "cold": "cold (no spare)", "abandoned": "abandoned goroutine"}[kind]
		t.row(label+": ready p50", byCase(rs, name, func(x Replace) string { return fmtNs(x.Ready.P50Ns) }))
		t.row(label+": ready p99", byCase(rs, name, func(x Replace) string { return fmtNs(x.Ready.P99Ns) }))
		t.row(label+": kill → ready p50", byCase(rs, name, func(x Replace) string { return fmtNs(x.KillToReady.P50Ns) }))
		if kind == "warm" {
			t.row(label+": made by the spare", byCase(rs, name, func(x Replace) string { return fmt.Sprintf("%d/%d", x.FromSpare, x.Kills) }))
		}
	}
	if len(r.Replace) > 0 {
		t.note("ready = from the old worker's end, as the supervisor saw it, to the new one ready (WorkerStarted.Ready); kill → ready adds seeing the death")
		if x, ok := find(r.Replace, func(x Replace) bool { return x.GraceNs > 0 }); ok {
			t.note("thread: kill → ready includes the %s grace before the goroutine is abandoned", fmtNs(x.GraceNs))
		}
	}
	return t
}

func fetchTable(r *Report) *table {
	if len(r.Fetch) == 0 {
		return newTable("", nil)
	}
	f := r.Fetch[0]
	t := newTable(fmt.Sprintf("the seed's fetch: %d URLs on %d workers; loopback pages delayed %s, and one made-up host",
		len(f.Results), f.Workers, fmtNs(r.Settings.FetchDelayNs)), columns(r))
	name := func(x Fetch) string { return x.Case }
	t.row("wall: New → last result", byCase(r.Fetch, name, func(x Fetch) string { return fmtNs(x.WallNs) }))
	t.row("pages / errors", byCase(r.Fetch, name, func(x Fetch) string {
		errs := 0
		for _, res := range x.Results {
			if res.Error != "" {
				errs++
			}
		}
		return fmt.Sprintf("%d / %d", len(x.Results)-errs, errs)
	}))
	return t
}
