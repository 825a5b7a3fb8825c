package demo

import (
	"context"
	"runtime"
	"time"
)

func init() {
	register(Task{
		Name:     "sleep",
		Args:     "DURATION (e.g. 10ms; default 10ms)",
		Summary:  "waits for the duration; honours cancellation",
		Defaults: []string{"10ms"},
		Check:    checkDuration("sleep"),
		Run:      sleep,
	})
	register(Task{
		Name:     "spin",
		Args:     "DURATION (e.g. 100ms; default 100ms)",
		Summary:  "burns CPU for the duration and ignores cancellation, so only a kill stops it early",
		Defaults: []string{"100ms"},
		Check:    checkDuration("spin"),
		CPUBound: true,
		Run:      spin,
	})
}

func parseDuration(task, input string) (time.Duration, error) {
	d, err := time.ParseDuration(input)
	if err != nil || d < 0 {
		return 0, badInput(task, input, "want a non-negative duration such as 250ms or 2s")
	}
	return d, nil
}

func checkDuration(task string) func(string) error {
	return func(input string) error {
		_, err := parseDuration(task, input)
		return err
	}
}

func sleep(ctx context.Context, input []byte) ([]byte, error) {
	d, err := parseDuration("sleep", string(input))
	if err != nil {
		return nil, err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return []byte("slept " + d.String()), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func spin(ctx context.Context, input []byte) ([]byte, error) {
	d, err := parseDuration("spin", string(input))
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(d)
	x := uint64(1)
	for time.Now().Before(deadline) {
		for range 1000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
		Yield(ctx) // offers the emulated GIL; never looks at cancellation
	}
	runtime.KeepAlive(x) // the loop's result must look used, or it could be optimised away
	return []byte("spun " + d.String()), nil
}
