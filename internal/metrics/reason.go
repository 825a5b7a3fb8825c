package metrics

import "strings"

// deathReason turns a WorkerExited reason ("killed by SIGKILL: last
// words...", "exited with status 2") into a label value with few distinct
// values: the signal, "exit N", "abandoned", or "stopped". The free text
// after it (a worker's last stderr line) would make a new series per
// crash.
func deathReason(reason string) string {
	head, _, _ := strings.Cut(reason, ":")
	switch {
	case strings.HasPrefix(head, "killed by "):
		return strings.TrimPrefix(head, "killed by ")
	case strings.HasPrefix(head, "exited with status "):
		return "exit " + strings.TrimPrefix(head, "exited with status ")
	case strings.Contains(reason, "abandoned"):
		return "abandoned"
	case head == "stopped" || head == "stop":
		return "stopped"
	}
	return "other"
}
