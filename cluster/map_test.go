package cluster

import (
	"context"
	"fmt"
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
	out, err := e.Map(context.Background(), "echo", inputs, 10)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range out {
		if r.Err != nil || string(r.Output) != string(inputs[i]) {
			t.Errorf("input %d: %+v", i, r)
		}
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
		want    []span
	}{
		{"by count", in(1, 1, 1, 1, 1), 2, 1000, []span{{0, 2}, {2, 4}, {4, 5}}},
		{"by bytes", in(100, 100, 100), 10, 2*(100+chunkOverhead) + 1, []span{{0, 2}, {2, 3}}},
		{"too large alone", in(5000, 1), 10, 1000, []span{{0, 1}, {1, 2}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := chunks(c.inputs, c.size, c.payload); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("chunks = %v, want %v", got, c.want)
			}
		})
	}
}
