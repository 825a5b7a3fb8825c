package demo

import (
	"context"
	"fmt"
	"os/exec"
)

func init() {
	register(Task{
		Name: "spawn", Args: "SECONDS (how long the child sleeps; default 3600)", Defaults: []string{"3600"},
		Summary: "starts a child process (sleep) and waits for it: a worker's descendants",
		Faults:  "process: killing the worker's process group, or the supervisor's death, takes the child too; thread: the child is the supervisor's",
		Check:   checkSeconds, Run: spawn,
	})
}

func checkSeconds(input string) error {
	var n uint
	if _, err := fmt.Sscanf(input, "%d", &n); err != nil || fmt.Sprint(n) != input {
		return badInput("spawn", input, "want a whole number of seconds")
	}
	return nil
}

func spawn(ctx context.Context, input []byte) ([]byte, error) {
	if err := checkSeconds(string(input)); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "sleep", string(input))
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	pid := cmd.Process.Pid
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("child %d: %w", pid, err)
	}
	return fmt.Appendf(nil, "child %d slept %ss", pid, input), nil
}
