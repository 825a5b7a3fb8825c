package inproc

import (
	"context"
	"errors"
	"testing"
	"time"

	_ "github.com/procpool/supervisor/internal/demo" // the tasks used here
	"github.com/procpool/supervisor/worker"
)

func task(name, input string) worker.Task { return worker.Task{Name: name, Input: []byte(input)} }

func doBatch(w *Worker, ctx context.Context, tasks ...worker.Task) ([]worker.Result, []error, error) {
	res, errs := make([]worker.Result, len(tasks)), make([]error, len(tasks))
	err := w.DoBatch(ctx, tasks, res, errs)
	return res, errs, err
}

func TestDoBatchKeepsOrderAndErrors(t *testing.T) {
	w := Start(Config{})
	defer w.Stop(context.Background())
	res, errs, err := doBatch(w, context.Background(), task("echo", "a"), task("fail", "mine"), task("panic", "boom"), task("echo", "b"))
	if err != nil {
		t.Fatal(err)
	}
	var p *worker.PanicError
	switch {
	case string(res[0].Output) != "a" || errs[0] != nil, string(res[3].Output) != "b" || errs[3] != nil:
		t.Errorf("echoes: %q %v, %q %v", res[0].Output, errs[0], res[3].Output, errs[3])
	case errs[1] == nil || errs[1].Error() != "mine":
		t.Errorf("task error: %v", errs[1])
	case !errors.As(errs[2], &p) || p.Value != "boom":
		t.Errorf("panic: %v", errs[2])
	}
}

func TestDoBatchCancellationStopsTheRest(t *testing.T) {
	w := Start(Config{})
	defer w.Stop(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res, errs, err := doBatch(w, ctx, task("echo", "a"), task("sleep", "1h"), task("echo", "c"))
	if err != nil {
		t.Fatal(err)
	}
	if errs[0] != nil || !errors.Is(errs[1], context.DeadlineExceeded) || !errors.Is(errs[2], context.DeadlineExceeded) {
		t.Errorf("errors %v", errs)
	}
	if res[2].Exec != 0 {
		t.Errorf("the task after the deadline ran for %v", res[2].Exec)
	}
}

// A batch whose task ignores cancellation abandons the goroutine; the
// results it might still write are not the caller's.
func TestDoBatchAbandoned(t *testing.T) {
	w := Start(Config{Grace: 20 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, _, err := doBatch(w, ctx, task("echo", "a"), task("spin", "200ms"), task("echo", "c"))
	if !errors.Is(err, ErrAbandoned) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want abandoned after the deadline", err)
	}
	<-w.Done()
}
