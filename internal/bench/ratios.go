package bench

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A Ratio sets one of our figures beside Python's from the same run.
type Ratio struct {
	// Key names the figure for programs: pool_start_p50, roundtrip_p50,
	// roundtrip_p99, throughput_pipelined, throughput_batched, payload,
	// memory_private, memory_pss, memory_rss, primes_wall or fetch_wall.
	Key    string  `json:"key"`
	What   string  `json:"what"`   // e.g. "no-op round trip p50"
	Case   string  `json:"case"`   // ours, e.g. "process/frame"
	Ours   float64 `json:"ours"`   // in Unit
	Python string  `json:"python"` // theirs, e.g. "ProcessPoolExecutor"
	Theirs float64 `json:"theirs"` // in Unit
	Unit   string  `json:"unit"`   // ns, tasks/s, MB/s or bytes
	// Better is how many times better ours is: faster, more per second or
	// less memory. Below 1, Python's is better.
	Better float64 `json:"better"`
}

func (r Ratio) String() string {
	return fmt.Sprintf("%s %s %s vs %s %s: %s", r.Case, r.What, formatUnit(r.Ours, r.Unit),
		r.Python, formatUnit(r.Theirs, r.Unit), r.verdict())
}

// verdict says "27× faster", "1.3× less", or "2.0× slower".
func (r Ratio) verdict() string {
	good, bad := "faster", "slower"
	switch r.Unit {
	case "bytes":
		good, bad = "less", "more"
	case "tasks/s", "MB/s":
		good, bad = "more", "less"
	}
	if r.Better >= 1 {
		return times(r.Better) + " " + good
	}
	return times(1/r.Better) + " " + bad
}

// times prints a factor with two significant figures or so.
func times(f float64) string {
	if f >= 10 {
		return fmt.Sprintf("%.0f×", f)
	}
	return fmt.Sprintf("%.1f×", f)
}

func formatUnit(v float64, unit string) string {
	switch unit {
	case "ns":
		return fmtDur(time.Duration(v))
	case "bytes":
		return fmtBytes(int64(v))
	case "tasks/s":
		return fmtRate(v)
	}
	return fmt.Sprintf("%.0f %s", v, unit)
}

// newRatio makes a Ratio. Better is theirs / ours for times and memory,
// ours / theirs for rates.
func newRatio(key, what, c string, ours float64, python string, theirs float64, unit string) Ratio {
	r := Ratio{Key: key, What: what, Case: c, Ours: ours, Python: python, Theirs: theirs, Unit: unit}
	if ours > 0 && theirs > 0 {
		r.Better = theirs / ours
		if unit == "tasks/s" || unit == "MB/s" {
			r.Better = ours / theirs
		}
	}
	return r
}

const (
	pyProcess = "ProcessPoolExecutor"
	pyThread  = "ThreadPoolExecutor"
)

func executorName(mode string) string {
	if mode == "thread" {
		return pyThread
	}
	return pyProcess
}

// compare sets every figure Python measured beside ours.
func compare(r *Report) []Ratio {
	py := r.Python
	if py == nil {
		return nil
	}
	var out []Ratio
	if py.micro != nil {
		out = append(out, compareStart(r, py.micro)...)
		out = append(out, compareRoundTrip(r, py.micro)...)
		out = append(out, compareThroughput(r, py.micro)...)
		out = append(out, comparePayload(r, py.micro)...)
		out = append(out, compareMemory(r, py.micro)...)
	}
	out = append(out, comparePrimes(r, py)...)
	return append(out, compareFetch(r, py)...)
}

func compareStart(r *Report, m *pyMicro) []Ratio {
	var out []Ratio
	for _, ps := range r.PoolStart {
		for _, p := range m.PoolStart {
			if p.Executor == ps.Mode && p.Workers == ps.Workers {
				what := fmt.Sprintf("pool of %d: start → first result p50", ps.Workers)
				out = append(out, newRatio("pool_start_p50", what, ps.Case, float64(ps.P50Ns), executorName(p.Executor), float64(p.P50Ns), "ns"))
			}
		}
	}
	return out
}

func compareRoundTrip(r *Report, m *pyMicro) []Ratio {
	var out []Ratio
	for _, q := range []string{"p50", "p99"} {
		for _, rt := range r.RoundTrip {
			for _, p := range m.RoundTrip {
				if rt.Mode != p.Executor {
					continue
				}
				ours, theirs := rt.Caller.P50Ns, p.P50Ns
				if q == "p99" {
					ours, theirs = rt.Caller.P99Ns, p.P99Ns
				}
				out = append(out, newRatio("roundtrip_"+q, "no-op round trip "+q, rt.Case, float64(ours), executorName(p.Executor), float64(theirs), "ns"))
			}
		}
	}
	return out
}

func compareThroughput(r *Report, m *pyMicro) []Ratio {
	var out []Ratio
	for _, t := range r.Throughput {
		for _, p := range m.Throughput {
			chunk := 1
			if t.Shape == shapeBatched {
				chunk = 100
			}
			if p.Workers != t.Workers || p.Chunksize != chunk || t.Workers != r.Settings.Workers || t.Cancellable {
				continue
			}
			what := fmt.Sprintf("%d workers %s vs map(chunksize=%d)", t.Workers, t.Shape, chunk)
			out = append(out, newRatio("throughput_"+t.Shape, what, t.Case, t.TasksPerS, pyProcess, p.TasksPerS, "tasks/s"))
		}
	}
	return out
}

func comparePayload(r *Report, m *pyMicro) []Ratio {
	var out []Ratio
	for _, pl := range r.Payload {
		if pl.Mode != "process" || pl.Error != "" {
			continue
		}
		for _, p := range m.Payload {
			if p.Bytes == pl.Bytes {
				out = append(out, newRatio("payload", fmtBytes(int64(pl.Bytes))+" echo", pl.Case, pl.MBPerS, pyProcess, p.MBPerS, "MB/s"))
			}
		}
	}
	return out
}

func compareMemory(r *Report, m *pyMicro) []Ratio {
	if m.Memory == nil {
		return nil
	}
	var out []Ratio
	for _, mem := range r.Memory {
		out = append(out,
			newRatio("memory_private", "idle worker private", mem.Case, float64(mem.AvgPrivate), pyProcess, float64(m.Memory.PrivateKiB<<10), "bytes"),
			newRatio("memory_pss", "idle worker Pss", mem.Case, float64(mem.AvgPss), pyProcess, float64(m.Memory.PssKiB<<10), "bytes"),
			newRatio("memory_rss", "idle worker RSS", mem.Case, float64(mem.AvgRSS), pyProcess, float64(m.Memory.RSSKiB<<10), "bytes"))
	}
	return out
}

func comparePrimes(r *Report, py *Python) []Ratio {
	var out []Ratio
	for _, p := range r.Primes {
		theirs := py.primes
		if p.List != "seed" {
			theirs = py.primesLong
		}
		if theirs == nil || p.Workers != theirs.Workers {
			continue
		}
		what := fmt.Sprintf("primes (%s list, %d workers) wall incl. start-up", p.List, p.Workers)
		out = append(out, newRatio("primes_wall", what, p.Case, float64(p.WallWithStartNs), pyProcess, float64(theirs.WallNs), "ns"))
	}
	return out
}

func compareFetch(r *Report, py *Python) []Ratio {
	if py.fetch == nil {
		return nil
	}
	var out []Ratio
	for _, f := range r.Fetch {
		out = append(out, newRatio("fetch_wall", fmt.Sprintf("fetch (%d URLs, %d workers) wall", len(f.Results), f.Workers),
			f.Case, float64(f.WallNs), pyThread, float64(py.fetch.WallNs), "ns"))
	}
	return out
}

// checkPythonAnswers compares the seed's answers from Python with ours:
// they must agree on the seed's numbers (the seed's is_prime is wrong only
// for 1 and 2, which are not among them).
func checkPythonAnswers(r *Report) []string {
	py := r.Python
	if py == nil || py.primes == nil {
		return nil
	}
	ours := map[uint64]bool{}
	for _, p := range r.Primes {
		for _, a := range p.Answers {
			n, prime, ok := parseAnswer(a)
			if ok {
				ours[n] = prime
			}
		}
	}
	var notes []string
	for _, res := range py.primes.Results {
		if want, ok := ours[res.N]; ok && want != res.Prime {
			notes = append(notes, fmt.Sprintf("python says %d is prime: %v; we say %v", res.N, res.Prime, want))
		}
	}
	return notes
}

// parseAnswer reads "N is prime: true".
func parseAnswer(a string) (uint64, bool, bool) {
	num, verdict, ok := strings.Cut(a, " is prime: ")
	n, err := strconv.ParseUint(num, 10, 64)
	return n, verdict == "true", ok && err == nil
}
