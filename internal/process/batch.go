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
// the worker died before it answered (an error as Do's for a lost task). A
// batch over the payload limit is not sent: every task ends with
// ErrTooLarge.
func (w *Worker) DoBatch(ctx context.Context, tasks []worker.Task, res []worker.Result, errs []error) error {
	if err := w.checkBatch(tasks); err != nil {
		for i := range tasks {
			res[i], errs[i] = worker.Result{}, err
		}
		return nil
	}
	outs, err := w.doWatched(ctx, w.batch(ctx, tasks))
	if err != nil {
		return w.lost(ctx)
	}
	for i := range outs {
		res[i], errs[i] = w.result(ctx, &outs[i])
	}
	return nil
}

// checkBatch refuses what the transport would refuse, with an error that
// names the limit and the knob that raises it: an input over MaxPayload,
// or a whole batch over the message limit (many inputs together, or so many
// small ones that their envelopes add up). The supervisor's Map keeps
// chunks within the limit, so there this error means one input too large.
func (w *Worker) checkBatch(tasks []worker.Task) error {
	size := 4
	for _, t := range tasks {
		if len(t.Input) > w.cfg.MaxPayload {
			return tooLarge("input", len(t.Input), w.cfg.MaxPayload)
		}
		size += taskSize(t)
	}
	if limit := messageLimit(w.cfg.MaxPayload); size > limit {
		return tooLarge("batch", size, limit)
	}
	return nil
}
