package cluster

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/procpool/supervisor/supervisor"
)

type sumIn struct{ A, B int }

var sumTask = supervisor.Define("cluster-test-sum", func(_ context.Context, in sumIn) (int, error) {
	if in.A < 0 {
		return 0, errors.New("negative")
	}
	return in.A + in.B, nil
})

// A typed task runs on the cluster as on a local pool: the executor is a
// supervisor.Executor, and the task's codecs travel in the message.
func TestTypedTasksRunOnTheCluster(t *testing.T) {
	srv := startServer(t)
	startAgent(t, srv, "a", supervisor.Config{Mode: supervisor.ModeThread}, Topology{})
	e := newExecutor(t, srv, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()

	if got, err := sumTask.Submit(ctx, e, sumIn{2, 3}).Wait(ctx); err != nil || got != 5 {
		t.Errorf("Submit: %d, %v; want 5", got, err)
	}
	if _, err := sumTask.Submit(ctx, e, sumIn{-1, 0}).Wait(ctx); err == nil || err.Error() != "negative" {
		t.Errorf("a task's own error: %v; want negative", err)
	}
	var got []int
	for out, err := range sumTask.Map(ctx, e, slices.Values([]sumIn{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}}), 2) {
		if err != nil {
			t.Fatalf("Map: %v", err)
		}
		got = append(got, out)
	}
	if want := []int{2, 4, 6, 8, 10}; !slices.Equal(got, want) {
		t.Errorf("Map: %v; want %v in input order", got, want)
	}
	if _, err := sumTask.Submit(ctx, e, sumIn{}).Wait(ctx); err != nil {
		t.Errorf("after Map: %v", err)
	}
}
