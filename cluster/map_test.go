package cluster

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"testing"

	"github.com/procpool/supervisor/supervisor"
)

func TestMapBatchesInputs(t *testing.T) {
	srv := startServer(t)
	startAgent(t, srv, "a", supervisor.Config{Mode: supervisor.ModeThread, Workers: 2}, Topology{})
	startAgent(t, srv, "b", supervisor.Config{Mode: supervisor.ModeProcess, Workers: 1}, Topology{})
	var got collect
	e := newExecutor(t, srv, Config{OnResult: got.add})
	inputs := make([][]byte, 95)
	for i := range inputs {
		inputs[i] = fmt.Appendf(nil, "in-%d", i)
	}
	i := 0
	for out, err := range e.Map(context.Background(), "echo", slices.Values(inputs), 10) {
		if err != nil || string(out) != string(inputs[i]) {
			t.Errorf("input %d: %q %v", i, out, err)
		}
		i++
	}
	if i != len(inputs) {
		t.Errorf("Map yielded %d results for %d inputs", i, len(inputs))
	}
	ids := map[uint64]bool{}
	for _, r := range got.all {
		ids[r.ID] = true
		if r.Agent == "" || r.PID == 0 {
			t.Errorf("result %d without agent or pid: %+v", r.ID, r)
		}
	}
	if len(got.all) != len(inputs) || len(ids) != len(inputs) {
		t.Errorf("%d results with %d distinct IDs, want %d", len(got.all), len(ids), len(inputs))
	}
}

func TestChunks(t *testing.T) {
	in := func(sizes ...int) [][]byte {
		out := make([][]byte, len(sizes))
		for i, n := range sizes {
			out[i] = make([]byte, n)
		}
		return out
	}
	cases := []struct {
		name    string
		inputs  [][]byte
		size    int
		payload int
		want    []int // each chunk's length
	}{
		{"by count", in(1, 1, 1, 1, 1), 2, 1000, []int{2, 2, 1}},
		{"by bytes", in(100, 100, 100), 10, 2*(100+chunkOverhead) + 1, []int{2, 1}},
		{"too large alone", in(5000, 1), 10, 1000, []int{1, 1}},
		{"empty inputs", in(0, 0, 0), 2, 1000, []int{2, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			next, stop := iter.Pull(slices.Values(c.inputs))
			defer stop()
			m := &mapCall{size: c.size, max: c.payload}
			var got []int
			for chunk := m.cut(next); len(chunk) > 0; chunk = m.cut(next) {
				got = append(got, len(chunk))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("chunks of %v, want %v", got, c.want)
			}
		})
	}
}
