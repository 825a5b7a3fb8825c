package bench

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/procpool/supervisor/internal/limits"
)

func TestDistOf(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i))
	}
	d := distOf(ds)
	want := Dist{N: 100, P50Ns: 50, P99Ns: 99, MeanNs: 50, MinNs: 1, MaxNs: 100}
	if d != want {
		t.Errorf("distOf(1..100) = %+v, want %+v", d, want)
	}
	if d := distOf([]time.Duration{7, 3, 5}); d.P50Ns != 5 || d.P99Ns != 7 {
		t.Errorf("with fewer than 100 samples p99 is the maximum: %+v", d)
	}
	if d := distOf(nil); d != (Dist{}) {
		t.Errorf("distOf(nil) = %+v", d)
	}
}

func TestQuantiles(t *testing.T) {
	var ds []time.Duration
	for i := range 10001 {
		ds = append(ds, time.Duration(10000-i))
	}
	q := quantiles(ds, 100)
	if len(q) != 101 || q[0] != 0 || q[100] != 10000 || q[50] != 5000 || !slices.IsSorted(q) {
		t.Errorf("quantiles: %d values, %v ... %v", len(q), q[:3], q[len(q)-3:])
	}
}

func TestFormats(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{fmtBytes(1 << 10), "1 KiB"}, {fmtBytes(64 << 20), "64 MiB"}, {fmtBytes(1536), "1.5 KiB"}, {fmtBytes(12), "12 B"},
		{fmtRate(1.234e6), "1.23M/s"}, {fmtRate(11000), "11.0k/s"}, {fmtRate(12), "12/s"},
		{fmtDur(7500 * time.Nanosecond), "7.5µs"}, {fmtDur(0), "-"},
		{si(2e6), "2M"}, {si(300), "300"}, {si(1500), "1.5k"},
		{compactSize(16 << 20), "16M"}, {compactSize(1 << 10), "1K"}, {compactSize(100), "100"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestRatioVerdicts(t *testing.T) {
	for _, c := range []struct {
		r    Ratio
		want string
	}{
		{newRatio("roundtrip_p50", "no-op round trip p50", "process/frame", 7500, pyProcess, 202500, "ns"),
			"process/frame no-op round trip p50 7.5µs vs ProcessPoolExecutor 202.5µs: 27× faster"},
		{newRatio("throughput_batched", "x", "thread", 2e6, pyProcess, 1e6, "tasks/s"), "thread x 2.00M/s vs ProcessPoolExecutor 1.00M/s: 2.0× more"},
		{newRatio("memory_private", "idle worker private", "process/grpc", 4<<20, pyProcess, 2<<20, "bytes"),
			"process/grpc idle worker private 4 MiB vs ProcessPoolExecutor 2 MiB: 2.0× more"},
	} {
		if got := c.r.String(); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
}

func TestLogTicks(t *testing.T) {
	ticks := logTicks{label: si}.Ticks(30e3, 1.2e6)
	var labels []string
	for _, tk := range ticks {
		if tk.Value < 30e3 || tk.Value > 1.2e6 {
			t.Errorf("tick %v outside the range", tk.Value)
		}
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if want := []string{"30k", "50k", "100k", "200k", "300k", "500k", "1M"}; !slices.Equal(labels, want) {
		t.Errorf("labels %v, want %v", labels, want)
	}
}

func TestParseOnly(t *testing.T) {
	got, err := ParseOnly("startup, payload")
	if err != nil || !slices.Equal(got, []string{"startup", "payload"}) {
		t.Errorf("ParseOnly = %v, %v", got, err)
	}
	if _, err := ParseOnly("startup,warp"); err == nil {
		t.Error("ParseOnly accepted warp")
	}
}

func TestParsers(t *testing.T) {
	if n, err := pageSize("'http://x/a' page is 312000 bytes"); n != 312000 || err != nil {
		t.Errorf("pageSize = %d, %v", n, err)
	}
	if _, err := pageSize("nonsense"); err == nil {
		t.Error("pageSize accepted nonsense")
	}
	if n, prime, ok := parseAnswer("112272535095293 is prime: true"); n != 112272535095293 || !prime || !ok {
		t.Errorf("parseAnswer = %d %v %v", n, prime, ok)
	}
}

func TestPrimeRatios(t *testing.T) {
	ps := []Primes{
		{caseFields: caseFields{Case: "process/frame"}, List: "seed", Workers: 1, WallNs: 100},
		{caseFields: caseFields{Case: "process/frame"}, List: "seed", Workers: 2, WallNs: 55},
		{caseFields: caseFields{Case: "thread"}, List: "seed", Workers: 1, WallNs: 100},
		{caseFields: caseFields{Case: "thread"}, List: "seed", Workers: 2, WallNs: 50},
	}
	if err := primeRatios(ps); err != nil {
		t.Fatal(err)
	}
	if math.Abs(ps[1].Speedup-100.0/55) > 1e-9 || math.Abs(ps[1].VsThread-1.1) > 1e-9 || ps[3].Speedup != 2 {
		t.Errorf("ratios: %+v", ps)
	}
	ps[0].Answers = []string{"7 is prime: true"}
	if err := primeRatios(ps); err == nil {
		t.Error("answers that differ between cases were not caught")
	}
}

// TestDefaultsWithinLimits: bench's defaults pass the thread budget that
// supervisor.New checks; 10000 goroutine workers did not (Go's limit is
// 10000 threads), and bench without flags failed in its memory figure.
func TestDefaultsWithinLimits(t *testing.T) {
	for _, quick := range []bool{false, true} {
		o := Options{Quick: quick}.withDefaults()
		if err := limits.CheckWorkers("thread", o.Goroutines); err != nil {
			t.Errorf("quick=%v: %d goroutine workers: %v", quick, o.Goroutines, err)
		}
	}
}

// TestSpreadOf: the median of the rounds (the lower middle of an even
// count), its range, and which round it was.
func TestSpreadOf(t *testing.T) {
	s, i := spreadOf([]float64{3, 1, 2})
	if s != (Spread{Median: 2, Min: 1, Max: 3, Runs: 3}) || i != 2 {
		t.Errorf("spreadOf(3, 1, 2) = %+v, round %d", s, i)
	}
	s, i = spreadOf([]float64{4, 1, 3, 2})
	if s.Median != 2 || i != 3 || s.Min != 1 || s.Max != 4 {
		t.Errorf("spreadOf(4, 1, 3, 2) = %+v, round %d", s, i)
	}
	if _, i := spreadOf(nil); i != -1 {
		t.Errorf("spreadOf(nil): round %d", i)
	}
}
