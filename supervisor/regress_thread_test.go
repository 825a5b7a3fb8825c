//go:build unix

package supervisor

import (
	"context"
	"testing"
	"time"
)

// Issue 9, finding 6: "Thread mode data race: an abandoned goroutine keeps
// reading the slot's task slice while the slot reuses it for the next
// chunk (-race reports it)."

// TestAbandonedChunkSharesNothingWithTheNext abandons a goroutine worker
// in the middle of a chunk (its first task ignores cancellation past the
// timeout and the grace), lets the slot run the next chunk on the
// replacement, and then lets the abandoned goroutine go on through its
// chunk. Whatever the abandoned goroutine still reads must not be what the
// slot writes next: the race detector is the judge.
func TestAbandonedChunkSharesNothingWithTheNext(t *testing.T) {
	if !raceEnabled {
		t.Skip("only the race detector sees this defect; run with -race")
	}
	// Goroutines abandoned by earlier tests (a "hang" never returns) stay
	// in this process: count ours only.
	before := goroutinesIn("inproc.(*Worker).loop")
	p := startPool(t, poolConfig{mode: ModeThread, workers: 1, timeout: 20 * time.Millisecond, grace: 20 * time.Millisecond})
	// Chunk 1: a spin that outlives its timeout and grace, then three
	// more tasks the abandoned goroutine walks through once it returns.
	// Chunks 2 to 4 run on the replacement meanwhile, in the same slot.
	in := [][]byte{[]byte("300ms"), []byte("0s"), []byte("0s"), []byte("0s")}
	for range 3 {
		in = append(in, []byte("0s"), []byte("0s"), []byte("0s"), []byte("0s"))
	}
	out, err := mapTasks(p, context.Background(), "spin", in, 4)
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Err == nil {
		t.Fatalf("the first chunk was not abandoned: %+v", out[0])
	}
	// The abandoned goroutine reads the rest of its chunk once its spin
	// ends, then returns: wait for that (one worker loop left, the
	// replacement's), then run one more chunk, so that the slot writes
	// again after the read.
	end := time.Now().Add(10 * time.Second)
	for goroutinesIn("inproc.(*Worker).loop") > before+1 {
		if time.Now().After(end) {
			t.Fatalf("the abandoned goroutine still runs after 10s\n%s", allStacks())
		}
		time.Sleep(5 * time.Millisecond) // polling: an abandoned goroutine signals nothing
	}
	if _, err := mapTasks(p, context.Background(), "spin", in[4:], 4); err != nil {
		t.Fatal(err)
	}
}
