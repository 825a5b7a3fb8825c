package supervisor

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// TestMapReusedChunksKeepTheirResults runs many short Map calls of tiny
// chunks, so that chunks are yielded and reused while the goroutines that
// resolved their previous use may still be finishing. A resolver late by a
// moment once woke the caller for the chunk's next use, which then yielded
// outputs not yet written and cleared inputs still being sent (a data race
// under -race, wrong or missing outputs, and in the end a Map that never
// returned).
func TestMapReusedChunksKeepTheirResults(t *testing.T) {
	s := newTest(t, Config{Mode: ModeThread, Workers: 4, InFlight: 16})
	in := inputs(64, func(i int) string { return "input " + strconv.Itoa(i) })
	deadline := time.Now().Add(3 * time.Second)
	for calls := 0; time.Now().Before(deadline) && calls < 20_000; calls++ {
		size := 1 + calls%3
		for i, r := range mapTest(t, s, context.Background(), "echo", in, size) {
			if r.Err != nil || string(r.Output) != string(in[i]) {
				t.Fatalf("call %d, chunksize %d, input %d: %q %v", calls, size, i, r.Output, r.Err)
			}
		}
	}
}
