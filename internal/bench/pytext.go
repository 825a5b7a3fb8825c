package bench

import (
	"fmt"
	"io"
	"slices"
)

// pythonTable sets Python's figure beside ours, row by row: each of our
// cells is our figure and how many times better it is.
func pythonTable(r *Report) *table {
	py := r.Python
	if py == nil {
		return newTable("", nil)
	}
	var extra []string
	if slices.ContainsFunc(r.Ratios, func(x Ratio) bool { return x.Case == "thread+gil" }) {
		extra = []string{"thread+gil"}
	}
	cols := append([]string{"python"}, columns(r, extra...)...)
	title := fmt.Sprintf("vs Python %s concurrent.futures, same run: our figure and how many times better it is (below 1×, Python's is better)", py.Version)
	t := newTable(title, cols)
	type key struct{ what, python string }
	var keys []key
	for _, x := range r.Ratios {
		if k := (key{x.What, x.Python}); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		rs := slices.DeleteFunc(slices.Clone(r.Ratios), func(x Ratio) bool { return x.What != k.what || x.Python != k.python })
		t.row(k.what+" ("+shortExecutor(k.python)+")", func(col string) string {
			if col == "python" {
				return formatUnit(rs[0].Theirs, rs[0].Unit)
			}
			if x, ok := find(rs, func(x Ratio) bool { return x.Case == col }); ok {
				return formatUnit(x.Ours, x.Unit) + " " + times(x.Better)
			}
			return ""
		})
	}
	for _, e := range py.Errors {
		t.note("python: %s", e)
	}
	return t
}

func shortExecutor(name string) string {
	if name == pyThread {
		return "thread pool"
	}
	return "process pool"
}

// headlineCases are the cases the headlines quote: the default data path
// and thread mode.
var headlineCases = []string{"process/frame", "thread"}

// writeHeadlines prints, as sentences, the comparisons people ask for
// first: round trip, throughput, start-up, memory, payload and primes.
func writeHeadlines(w io.Writer, r *Report) {
	var lines []string
	seen := map[string]bool{}
	for _, x := range r.Ratios {
		key := x.What + x.Case
		if !slices.Contains(headlineCases, x.Case) || seen[key] || !headline(x) {
			continue
		}
		seen[key] = true
		lines = append(lines, x.String())
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(w, "in short:")
	for _, l := range lines {
		fmt.Fprintln(w, "  "+l)
	}
	fmt.Fprintln(w)
}

// headline picks the figures worth a sentence.
func headline(x Ratio) bool {
	switch x.Key {
	case "roundtrip_p50", "throughput_pipelined", "throughput_batched", "pool_start_p50", "memory_private", "primes_wall", "fetch_wall":
		return true
	case "payload":
		return x.What == "16 MiB echo"
	}
	return false
}
