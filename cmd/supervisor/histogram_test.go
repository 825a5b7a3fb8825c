package main

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

// TestHistogramPercentiles: the histogram's p50 and p99 are within its
// stated precision of the exact nearest-rank percentiles, exact below
// 128 ns, and its memory does not depend on how many values it counts.
func TestHistogramPercentiles(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 99, 100, 1000, 100000} {
		var h histogram
		var all []time.Duration
		for range n {
			d := time.Duration(r.ExpFloat64() * 20000)
			if r.IntN(10) == 0 {
				d = time.Duration(r.IntN(128))
			}
			h.add(d)
			all = append(all, d)
		}
		slices.Sort(all)
		exact := func(p float64) int64 {
			i := int(p*float64(len(all))+0.999999) - 1
			return int64(all[min(max(i, 0), len(all)-1)])
		}
		got := h.percentiles()
		for _, c := range []struct {
			p   float64
			got int64
		}{{0.50, got.P50Ns}, {0.99, got.P99Ns}} {
			want := exact(c.p)
			tol := max(want/128, 0)
			if c.got < want-tol || c.got > want+tol {
				t.Errorf("n=%d p%.0f: %d, exact %d (tolerance %d)", n, 100*c.p, c.got, want, tol)
			}
		}
		if got.N != n {
			t.Errorf("n=%d: counted %d", n, got.N)
		}
	}
	var h histogram
	for d := range time.Duration(128) {
		h.add(d)
	}
	if p := h.percentiles(); p.P50Ns != 63 || p.P99Ns != 126 {
		t.Errorf("0..127 ns: p50 %d, p99 %d; want exactly 63 and 126", p.P50Ns, p.P99Ns)
	}
	h.add(time.Hour)
	if len(h.counts) > 64<<subBits {
		t.Errorf("an hour takes %d buckets", len(h.counts))
	}
}

// TestWorkloadOrder: the workload yields the repeated tasks with the added
// ones in the middle, as the task list it replaces held them.
func TestWorkloadOrder(t *testing.T) {
	w := &workload{name: "echo", inputs: [][]byte{[]byte("a"), []byte("b")}, repeat: 2}
	w.extra = []worker.Task{{Name: "segv"}, {Name: "segv"}}
	var got []string
	for task := range w.all {
		got = append(got, task.Name+":"+string(task.Input))
	}
	want := []string{"echo:a", "echo:b", "segv:", "segv:", "echo:a", "echo:b"}
	if !slices.Equal(got, want) || w.len() != len(want) {
		t.Errorf("got %v (len %d), want %v", got, w.len(), want)
	}
	lone := &workload{name: "echo", extra: []worker.Task{{Name: "segv"}}}
	got = got[:0]
	for task := range lone.all {
		got = append(got, task.Name)
	}
	if !slices.Equal(got, []string{"segv"}) {
		t.Errorf("only added tasks: got %v", got)
	}
}
