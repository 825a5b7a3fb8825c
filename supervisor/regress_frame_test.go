package supervisor

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"
)

// TestFramePathPipelinesLargePayloads pipelines batches whose inputs and
// outputs are each larger than the frame path's pipes (1 MiB). The worker
// answers a request before it reads the next, so with the host blocked
// writing the third 2 MiB request and the worker blocked writing the
// second answer, neither ever moved again: Map hung for good.
func TestFramePathPipelinesLargePayloads(t *testing.T) {
	s := newTest(t, Config{Mode: ModeProcess, IPC: IPCFrame, Workers: 1, InFlight: 8})
	in := inputs(6, func(i int) string { return string(bytes.Repeat([]byte{byte('a' + i)}, 2<<20)) })
	done := make(chan []mapOut, 1)
	go func() {
		var out []mapOut
		for o, err := range s.Map(context.Background(), "echo", slices.Values(in), 1) {
			out = append(out, mapOut{o, err})
		}
		done <- out
	}()
	select {
	case out := <-done:
		if len(out) != len(in) {
			t.Fatalf("%d results for %d inputs", len(out), len(in))
		}
		for i, r := range out {
			if r.Err != nil || !bytes.Equal(r.Output, in[i]) {
				t.Errorf("input %d: %d bytes back, %v", i, len(r.Output), r.Err)
			}
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Map of large inputs pipelined on the frame path did not return within 30s")
	}
}
