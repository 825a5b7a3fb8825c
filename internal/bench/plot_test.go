package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chartReport is a report of every measurement the charts draw, with
// Python's side, made up: the charts are tested without running anything.
func chartReport() *Report {
	r := &Report{Settings: Settings{Workers: 2, IPCs: []string{"frame"}, Sizes: []int{1 << 10, 1 << 20}}}
	spread := func(base time.Duration) []time.Duration {
		var s []time.Duration
		for i := range 200 {
			s = append(s, base+time.Duration(i)*base/100)
		}
		return s
	}
	dist := func(p50 time.Duration) Dist {
		return Dist{N: 10, P50Ns: int64(p50), P99Ns: int64(2 * p50), MinNs: int64(p50 / 2), MaxNs: int64(3 * p50)}
	}
	for _, c := range []struct {
		name, mode string
		base       time.Duration
	}{{"process/frame", "process", 8 * time.Microsecond}, {"thread", "thread", time.Microsecond}} {
		f := caseFields{Case: c.name, Mode: c.mode}
		r.RoundTrip = append(r.RoundTrip, RoundTrip{caseFields: f, samples: spread(c.base)})
		r.Startup = append(r.Startup, Startup{caseFields: f, samples: spread(1000 * c.base)})
		r.PoolStart = append(r.PoolStart, PoolStart{caseFields: f, Workers: 1, Dist: dist(1200 * c.base)})
		for w := 1; w <= 2; w++ {
			for _, shape := range []string{shapePipelined, shapeBatched} {
				r.Throughput = append(r.Throughput, Throughput{caseFields: f, Shape: shape, Workers: w, TasksPerS: float64(w) * 1e5})
			}
			r.Primes = append(r.Primes, Primes{caseFields: f, List: "seed×4", Workers: w, Runs: 3,
				WallNs: int64(400*time.Millisecond) / int64(w), WallWithStartNs: int64(410*time.Millisecond) / int64(w), Speedup: float64(w)})
		}
		if c.mode == "process" {
			for _, size := range r.Settings.Sizes {
				r.Payload = append(r.Payload, Payload{caseFields: f, Bytes: size, Dist: dist(time.Duration(size) * time.Nanosecond),
					MBPerS: 1000})
			}
		}
	}
	m := &pyMicro{Workers: 2}
	m.RoundTrip = append(m.RoundTrip, struct {
		Executor string `json:"executor"`
		P50Ns    int64  `json:"roundtrip_p50_ns"`
		P99Ns    int64  `json:"roundtrip_p99_ns"`
	}{"process", 200e3, 290e3}, struct {
		Executor string `json:"executor"`
		P50Ns    int64  `json:"roundtrip_p50_ns"`
		P99Ns    int64  `json:"roundtrip_p99_ns"`
	}{"thread", 60e3, 90e3})
	m.PoolStart = append(m.PoolStart, struct {
		Executor string `json:"executor"`
		Workers  int    `json:"workers"`
		P50Ns    int64  `json:"pool_start_p50_ns"`
	}{"process", 1, 13e6})
	for w := 1; w <= 2; w++ {
		for _, chunk := range []int{1, 100} {
			m.Throughput = append(m.Throughput, struct {
				Workers   int     `json:"workers"`
				Chunksize int     `json:"chunksize"`
				TasksPerS float64 `json:"tasks_per_s"`
			}{w, chunk, float64(w*chunk) * 1e4})
		}
	}
	for _, size := range r.Settings.Sizes {
		m.Payload = append(m.Payload, struct {
			Bytes  int     `json:"payload_bytes"`
			P50Ns  int64   `json:"roundtrip_p50_ns"`
			MBPerS float64 `json:"mb_per_s"`
		}{size, 1e6, 264})
	}
	r.Python = &Python{Version: "3.11.2", micro: m,
		primesLong: &pySeedPrimes{Workers: 2, Tasks: 24, WallNs: int64(570 * time.Millisecond)}}
	return r
}

// TestPlotDrawsEveryPeer: with Python's figures in the report, every
// chart that has a Python counterpart draws it and names it in the legend
// (issue 13: bench --python --plot never drew Python).
func TestPlotDrawsEveryPeer(t *testing.T) {
	dir := t.TempDir()
	if _, err := Plot(chartReport(), dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"roundtrip", "startup", "throughput", "payload", "primes-wall"} {
		b, err := os.ReadFile(filepath.Join(dir, "bench-"+name+".svg"))
		if err != nil {
			t.Errorf("chart %s: %v", name, err)
			continue
		}
		if !strings.Contains(string(b), "python") {
			t.Errorf("chart %s does not draw Python", name)
		}
	}
}

// TestPlotShowsRanges: where a figure is a median, the chart draws the
// range the report has for it (issue 13).
func TestPlotShowsRanges(t *testing.T) {
	r := chartReport()
	for name, draw := range map[string]func(*Report) (*figure, error){
		"roundtrip": roundTripChart, "startup": startupChart, "payload": payloadChart} {
		f, err := draw(r)
		if err != nil {
			t.Fatal(err)
		}
		if f.ranges == 0 {
			t.Errorf("chart %s draws no range", name)
		}
	}
}
