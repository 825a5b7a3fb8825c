package inproc

import (
	"context"
	"errors"
	"testing"
	"time"

	_ "github.com/procpool/supervisor/internal/demo" // the tasks used here
	"github.com/procpool/supervisor/worker"
)

func TestDoAndStop(t *testing.T) {
	w := Start(Config{})
	res, err := w.Do(context.Background(), worker.Task{Name: "echo", Input: []byte("x")})
	if err != nil || string(res.Output) != "x" {
		t.Fatalf("got %q, %v", res.Output, err)
	}
	if err := w.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-w.Done()
	if w.Err() != nil {
		t.Errorf("a stopped worker's Err is %v, want nil", w.Err())
	}
	if _, err := w.Do(context.Background(), worker.Task{Name: "echo"}); !errors.Is(err, ErrStopped) {
		t.Errorf("Do after Stop: %v, want ErrStopped", err)
	}
}

func TestATaskThatIgnoresCancellationIsAbandoned(t *testing.T) {
	w := Start(Config{Grace: 20 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := w.Do(ctx, worker.Task{Name: "hang"})
	if !errors.Is(err, ErrAbandoned) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want ErrAbandoned and DeadlineExceeded", err)
	}
	select {
	case <-w.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("an abandoned worker's Done is not closed")
	}
	if !errors.Is(w.Err(), ErrAbandoned) {
		t.Errorf("Err = %v, want ErrAbandoned", w.Err())
	}
}

func TestATaskThatHonoursCancellationKeepsItsWorker(t *testing.T) {
	w := Start(Config{})
	defer w.Stop(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := w.Do(ctx, worker.Task{Name: "sleep", Input: []byte("1h")}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if _, err := w.Do(context.Background(), worker.Task{Name: "echo"}); err != nil {
		t.Errorf("the worker did not survive a cancelled task: %v", err)
	}
}
