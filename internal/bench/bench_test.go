package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/procpool/supervisor/supervisor"
)

// tiny is a run of every measurement small enough for a test: a few
// seconds. Nothing here checks a time against a target; only that the
// figures are there, plausible and consistent.
func tiny() Options {
	return Options{
		Quick: true, Workers: 2, Duration: 20 * time.Millisecond, Tasks: 50, Starts: 4, Kills: 4,
		Sizes: []int{1 << 10, 64 << 10, 256 << 10}, MaxPayload: 128 << 10, Repeat: 1,
		Goroutines: 100, FetchDelay: 5 * time.Millisecond, WorkerCommand: testWorkerCommand, Rounds: 2,
	}
}

// perRound is what each round of tiny measures.
func perRound() Options { return tiny().withDefaults().round() }

func runTiny(t *testing.T, o Options) *Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := Run(ctx, o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return r
}

func TestBenchEveryMeasurement(t *testing.T) {
	r := runTiny(t, tiny())
	cases := []string{"process/grpc", "process/stream", "process/frame", "thread"}
	t.Run("startup", func(t *testing.T) { checkStartup(t, r, cases) })
	t.Run("roundtrip", func(t *testing.T) { checkRoundTrip(t, r, cases) })
	t.Run("throughput", func(t *testing.T) { checkThroughput(t, r, cases) })
	t.Run("payload", func(t *testing.T) { checkPayload(t, r, cases) })
	t.Run("primes", func(t *testing.T) { checkPrimes(t, r) })
	t.Run("memory", func(t *testing.T) { checkMemory(t, r) })
	t.Run("replace", func(t *testing.T) { checkReplace(t, r) })
	t.Run("fetch", func(t *testing.T) { checkFetch(t, r, cases) })
	t.Run("json", func(t *testing.T) { checkJSON(t, r) })
	t.Run("text", func(t *testing.T) { checkText(t, r) })
	t.Run("plot", func(t *testing.T) { checkPlot(t, r) })
}

// checkDist: a sample's figures are positive and in order.
func checkDist(t *testing.T, what string, d Dist, n int) {
	t.Helper()
	if d.N != n || d.MinNs <= 0 || d.MinNs > d.P50Ns || d.P50Ns > d.P99Ns || d.P99Ns > d.MaxNs || d.MeanNs < d.MinNs || d.MeanNs > d.MaxNs {
		t.Errorf("%s: implausible distribution %+v (want %d samples, 0 < min ≤ p50 ≤ p99 ≤ max)", what, d, n)
	}
}

func caseNames[T any](xs []T, name func(T) string) []string {
	var out []string
	for _, x := range xs {
		if n := name(x); !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func checkStartup(t *testing.T, r *Report, cases []string) {
	if got := caseNames(r.Startup, func(s Startup) string { return s.Case }); !slices.Equal(got, cases) {
		t.Fatalf("start-up cases %v, want %v", got, cases)
	}
	for _, s := range r.Startup {
		n := perRound().Starts
		if s.Mode == "thread" {
			n *= threadStarts
		}
		if s.P50Spread == nil || s.P50Spread.Runs != 2 {
			t.Errorf("start-up %s: spread %+v, want one over 2 rounds", s.Case, s.P50Spread)
		}
		checkDist(t, "start-up "+s.Case, s.Dist, n)
	}
	if len(r.PoolStart) != 2*len(cases) {
		t.Errorf("%d pool start-ups, want pools of 1 and 2 for each of %d cases", len(r.PoolStart), len(cases))
	}
	for _, p := range r.PoolStart {
		if p.P50Ns <= 0 || p.P50Ns > p.P99Ns {
			t.Errorf("pool start %s of %d: %+v", p.Case, p.Workers, p.Dist)
		}
	}
}

func checkRoundTrip(t *testing.T, r *Report, cases []string) {
	want := slices.Concat([]string{"floor/socketpair", "floor/pipe"}, cases, []string{"go-plugin"})
	if got := caseNames(r.RoundTrip, func(x RoundTrip) string { return x.Case }); !slices.Equal(got, want) {
		t.Fatalf("round-trip cases %v, want %v", got, want)
	}
	for _, rt := range r.RoundTrip {
		checkDist(t, "round trip "+rt.Case, rt.Caller, perRound().Tasks)
		checkDist(t, "worker round trip "+rt.Case, rt.Worker, perRound().Tasks)
		if rt.P50 == nil || rt.P50.Runs != 2 || rt.VsFloor == nil || rt.VsFloor.Min < 1 && rt.Mode != "floor" || rt.CPUPerTask == nil {
			t.Errorf("round trip %s: p50 %+v, vs floor %+v, CPU %+v; want each over 2 rounds", rt.Case, rt.P50, rt.VsFloor, rt.CPUPerTask)
		}
		if rt.Overhead.P50Ns > rt.Worker.P50Ns || rt.Caller.MinNs < rt.Worker.MinNs {
			t.Errorf("%s: overhead %v or caller %v does not fit the worker round trip %v", rt.Case, rt.Overhead, rt.Caller, rt.Worker)
		}
	}
}

func checkThroughput(t *testing.T, r *Report, cases []string) {
	if len(r.Throughput) != len(cases)*(2*2+1)+1 {
		t.Fatalf("%d throughput points, want %d cases × (2 worker counts × 2 shapes, and one cancellable), and go-plugin's", len(r.Throughput), len(cases))
	}
	for _, x := range r.Throughput {
		if x.Tasks <= 0 || x.ElapsedNs <= 0 || x.TasksPerS <= 0 {
			t.Errorf("throughput %s %d %s: %+v", x.Case, x.Workers, x.Shape, x)
		}
		if (x.Shape == shapeBatched) != (x.Chunksize == 100) {
			t.Errorf("throughput %s %s: chunksize %d", x.Case, x.Shape, x.Chunksize)
		}
	}
}

func checkPayload(t *testing.T, r *Report, cases []string) {
	for _, p := range r.Payload {
		switch {
		case p.Bytes > 128<<10 && p.Mode == "process":
			if !strings.Contains(p.Error, "--max-payload") || !strings.Contains(p.Error, " limit") {
				t.Errorf("payload %s of %d over the 128 KiB limit: error %q, want one naming the limit and --max-payload", p.Case, p.Bytes, p.Error)
			}
		case p.Error != "":
			t.Errorf("payload %s of %d: %s", p.Case, p.Bytes, p.Error)
		default:
			checkDist(t, "payload "+p.Case, p.Dist, payloadSamples(tiny(), p.Bytes))
			if (p.MBPerS > 0) != (p.Mode == "process") {
				t.Errorf("payload %s of %d: %v MB/s", p.Case, p.Bytes, p.MBPerS)
			}
		}
	}
	if len(r.Payload) != 3*len(cases) {
		t.Errorf("%d payload results, want 3 sizes × %d cases", len(r.Payload), len(cases))
	}
	if len(r.PayloadLimit) != 3 {
		t.Fatalf("%d limit checks, want one per data path", len(r.PayloadLimit))
	}
	for _, l := range r.PayloadLimit {
		if !l.OK() || strings.Contains(l.Error, "ResourceExhausted") {
			t.Errorf("%s: a payload over the limit gave %q, want ErrTooLarge naming --max-payload", l.Case, l.Error)
		}
	}
}

func checkPrimes(t *testing.T, r *Report) {
	cases := caseNames(r.Primes, func(p Primes) string { return p.Case })
	if !slices.Contains(cases, "thread+gil") || len(r.Primes) != 2*len(cases)*2 {
		t.Fatalf("primes cases %v, %d results", cases, len(r.Primes))
	}
	want := r.Primes[0].Answers
	for _, p := range r.Primes {
		if !slices.Equal(p.Answers, want) {
			t.Errorf("primes %s, %d workers: answers %q differ from %q", p.Case, p.Workers, p.Answers, want)
		}
		if p.WallNs <= 0 || p.WallWithStartNs < p.WallNs || p.Speedup <= 0 || p.VsThread <= 0 {
			t.Errorf("primes %s, %d workers: %+v", p.Case, p.Workers, p)
		}
		if p.Workers == 1 && p.Speedup != 1 {
			t.Errorf("primes %s: speedup %v at one worker, want 1", p.Case, p.Speedup)
		}
	}
	if len(want) != 6 || !strings.HasSuffix(want[5], "is prime: false") || !strings.HasSuffix(want[0], "is prime: true") {
		t.Errorf("answers %q: the seed's list has five primes then 1099726899285419, which is not", want)
	}
}

func checkMemory(t *testing.T, r *Report) {
	if len(r.Memory) != 3 {
		t.Fatalf("%d process memory results, want one per data path", len(r.Memory))
	}
	for _, m := range r.Memory {
		if len(m.PerWorker) != 2 || m.AvgPrivate <= 0 || m.AvgPrivate > m.AvgPss || m.AvgPss > m.AvgRSS || m.SupervisorRSS <= 0 {
			t.Errorf("memory %s: want 2 workers with 0 < private ≤ Pss ≤ RSS: %+v", m.Case, m)
		}
	}
	g := r.GoroutineMemory
	if g == nil || g.Goroutines != 100 || g.HeapStackPer <= 0 || g.GoroutinesPer < 1 || g.StackStart <= 0 {
		t.Errorf("goroutine memory: %+v", g)
	}
}

func checkReplace(t *testing.T, r *Report) {
	kinds := caseNames(r.Replace, func(x Replace) string { return x.Case + " " + x.Spare })
	if len(kinds) != 7 {
		t.Fatalf("replacements %v, want warm and cold on 3 data paths, and thread", kinds)
	}
	for _, x := range r.Replace {
		checkDist(t, "replace "+x.Case+" "+x.Spare, x.Ready, perRound().Kills)
		checkDist(t, "kill → ready "+x.Case+" "+x.Spare, x.KillToReady, perRound().Kills)
		if x.Spare != "warm" && x.FromSpare != 0 {
			t.Errorf("%s %s: %d replacements by a spare", x.Case, x.Spare, x.FromSpare)
		}
		// A spare starts on the first task submitted: the warm figure
		// submits one first, or it measures cold starts (it did).
		if x.Spare == "warm" && x.FromSpare == 0 {
			t.Errorf("%s warm: no replacement of %d was the spare", x.Case, x.Kills)
		}
	}
}

func checkFetch(t *testing.T, r *Report, cases []string) {
	if got := caseNames(r.Fetch, func(f Fetch) string { return f.Case }); !slices.Equal(got, cases) {
		t.Fatalf("fetch cases %v, want %v", got, cases)
	}
	for _, f := range r.Fetch {
		if f.WallNs <= 0 || len(f.Results) != 5 {
			t.Errorf("fetch %s: %+v", f.Case, f)
		}
		for i, res := range f.Results {
			if want := r.Fetch[0].Results[i]; res.URL != want.URL || res.Bytes != want.Bytes || (res.Error == "") != (want.Error == "") {
				t.Errorf("fetch %s: %+v, but %s got %+v", f.Case, res, r.Fetch[0].Case, want)
			}
		}
		if last := f.Results[4]; last.Error == "" || last.Bytes != -1 {
			t.Errorf("fetch %s: the made-up host gave %+v, want an error", f.Case, last)
		}
	}
}

func checkJSON(t *testing.T, r *Report) {
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("the report's JSON does not parse: %v", err)
	}
	for _, key := range []string{"machine", "settings", "startup", "pool_start", "roundtrip", "throughput", "payload",
		"payload_limit", "primes", "memory", "goroutine_memory", "replace", "fetch", "notes", "elapsed_ns"} {
		if _, ok := back[key]; !ok {
			t.Errorf("JSON has no %q", key)
		}
	}
	rt := back["roundtrip"].([]any)[0].(map[string]any)
	if rt["case"] != "floor/socketpair" || rt["caller"].(map[string]any)["p50_ns"].(float64) <= 0 || rt["p50_spread"] == nil {
		t.Errorf("roundtrip[0] = %v", rt)
	}
}

func checkText(t *testing.T, r *Report) {
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"start-up:", "no-op round trip", "no-op throughput", "payload echo", "CPU-bound",
		"idle memory", "kill → replacement", "the seed's fetch", "process/grpc", "process/stream", "process/frame",
		"thread+gil", "refused as it should be", "--max-payload"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
}

func checkPlot(t *testing.T, r *Report) {
	dir := t.TempDir()
	files, err := Plot(r, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2*len(charts) {
		t.Errorf("wrote %d files, want PNG and SVG of %d charts: %v", len(files), len(charts), files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		png := bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n"))
		svg := bytes.Contains(b[:min(len(b), 512)], []byte("<svg"))
		if filepath.Ext(f) == ".png" && !png || filepath.Ext(f) == ".svg" && !svg || len(b) < 1000 {
			t.Errorf("%s: %d bytes, not a chart", f, len(b))
		}
	}
}

func TestBenchOnlyWhatIsAsked(t *testing.T) {
	o := tiny()
	o.Only, o.IPCs = []string{"roundtrip"}, []supervisor.IPC{supervisor.IPCFrame}
	r := runTiny(t, o)
	if len(r.RoundTrip) != 5 || r.Startup != nil || r.Throughput != nil || r.Payload != nil || r.Primes != nil ||
		r.Memory != nil || r.Replace != nil || r.Fetch != nil || r.Python != nil {
		t.Errorf("--only=roundtrip --ipc=frame measured more or less: %+v", r)
	}
	files, err := Plot(r, t.TempDir())
	if err != nil || len(files) != 2 {
		t.Errorf("Plot wrote %v (%v), want the round-trip chart only", files, err)
	}
}

func TestBenchPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3: the Python side cannot run")
	}
	o := tiny()
	o.Python, o.IPCs = python, []supervisor.IPC{supervisor.IPCFrame}
	o.Only = []string{"roundtrip", "primes", "fetch"}
	r := runTiny(t, o)
	py := r.Python
	if py == nil || len(py.Errors) > 0 || py.micro == nil || py.primes == nil || py.primesLong == nil || py.fetch == nil {
		t.Fatalf("python side: %+v", py)
	}
	if !json.Valid(py.Micro) || !json.Valid(py.SeedPrimes) || !json.Valid(py.SeedFetch) {
		t.Error("the scripts' JSON was not kept as it came")
	}
	// Python's round trips are columns of the same rounds, and the charts
	// draw a report that has them (micro.py gives percentiles, no samples).
	if _, ok := find(r.RoundTrip, func(x RoundTrip) bool { return x.Case == "python/process" }); !ok {
		t.Errorf("no python/process round trip among %v", caseNames(r.RoundTrip, func(x RoundTrip) string { return x.Case }))
	}
	if _, err := Plot(r, t.TempDir()); err != nil {
		t.Errorf("Plot with Python's columns: %v", err)
	}
	keys := map[string]bool{}
	for _, x := range r.Ratios {
		keys[x.Key] = true
		if x.Ours <= 0 || x.Theirs <= 0 || x.Better <= 0 || x.String() == "" {
			t.Errorf("ratio %+v", x)
		}
	}
	for _, k := range []string{"roundtrip_p50", "roundtrip_p99", "primes_wall", "fetch_wall"} {
		if !keys[k] {
			t.Errorf("no %s ratio among %v", k, keys)
		}
	}
	for _, n := range r.Notes {
		if strings.HasPrefix(n, "python says") {
			t.Errorf("Python and Go disagree on the seed's primes: %s", n)
		}
	}
}
