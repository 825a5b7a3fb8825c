package process

import (
	"context"

	"github.com/procpool/supervisor/worker"
)

// DoBatch runs tasks one after another in the worker, sent as one message
// and run under one context, and fills res and errs (each as long as tasks)
// with each task's result, as Do would return it. When ctx ends, the task
// running is cancelled and the tasks after it are not started (they end
// with ctx's error); a task that ignores the cancellation gets the batch's
// worker killed by the kill ladder, as with Do.
//
// The error is the batch's as a whole, and then res and errs are not set:
// the worker died before it answered (a *LostError, as Do's for a lost
// task, which says how many of the tasks had started and finished). A
// batch over the payload limit is not sent: every task ends with
// ErrTooLarge.
func (w *Worker) DoBatch(ctx context.Context, tasks []worker.Task, res []worker.Result, errs []error) error {
	b, err := w.batch(ctx, tasks)
	if err != nil {
		for i := range tasks {
			res[i], errs[i] = worker.Result{}, err
		}
		return nil
	}
	outs, err := w.doWatched(ctx, b)
	if err != nil {
		return w.lost(ctx, b.first, len(tasks))
	}
	for i := range outs {
		res[i], errs[i] = w.result(ctx, &outs[i])
	}
	return nil
}
