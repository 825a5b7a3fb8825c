package chaostest

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// taskLine is what the check reads of the client's JSON lines.
type taskLine struct {
	Type     string `json:"type"`
	ID       uint64 `json:"id"`
	Task     string `json:"task"`
	Status   string `json:"status"`
	Error    string `json:"error"`
	Attempts int    `json:"attempts"`
	Agent    string `json:"agent"`
}

// check is the round's bar: every task exactly one result; failing tasks
// answered on their first delivery (they ran once); poison tasks
// quarantined; the others ok, or, if their host was lost twice, ended
// saying so.
func check(lines []taskLine) []string {
	var problems []string
	seen := map[uint64]int{}
	for _, l := range lines {
		seen[l.ID]++
		switch l.Task {
		case "fail":
			if l.Status != "error" || l.Attempts != 1 {
				problems = append(problems, fmt.Sprintf("failing task %d: %s after %d deliveries", l.ID, l.Status, l.Attempts))
			}
		case "exit":
			if l.Status != "quarantined" {
				problems = append(problems, fmt.Sprintf("poison task %d: %s (%s)", l.ID, l.Status, l.Error))
			}
		default:
			if l.Status != "ok" && !strings.Contains(l.Error, "host lost") {
				problems = append(problems, fmt.Sprintf("task %d: %s (%s)", l.ID, l.Status, l.Error))
			}
		}
	}
	for id := uint64(1); id <= total; id++ {
		if seen[id] != 1 {
			problems = append(problems, fmt.Sprintf("task %d: %d results", id, seen[id]))
		}
	}
	if len(lines) != total {
		problems = append(problems, fmt.Sprintf("%d results for %d tasks", len(lines), total))
	}
	return problems
}

func asExit(err error, target **exec.ExitError) bool { return errors.As(err, target) }

// describe sums up a round's results: statuses, deliveries, agents.
func describe(lines []taskLine) string {
	statuses, agents := map[string]int{}, map[string]int{}
	again, hostLost := 0, 0
	for _, l := range lines {
		statuses[l.Status]++
		agents[l.Agent]++
		if l.Attempts > 1 {
			again++
		}
		if strings.Contains(l.Error, "host lost") {
			hostLost++
		}
	}
	return fmt.Sprintf("%d results; statuses %v; %d answered after more than one delivery; %d host lost; by agent %v",
		len(lines), statuses, again, hostLost, agents)
}
