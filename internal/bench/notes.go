package bench

import "fmt"

// notes say what a reader of the figures needs to know about how they
// were made.
func notes(o Options, r *Report) []string {
	var out []string
	if o.WorkerCommand == nil && (o.runs("memory") || o.runs("replace") || o.runs("startup")) {
		out = append(out, "worker processes are this binary re-executed as \"worker\": they share its code pages with the supervisor")
	}
	if o.WorkerName != "" {
		out = append(out, "worker processes are "+o.WorkerName+": they share its code pages with each other and with the supervisor's guard")
	}
	out = append(out, fmt.Sprintf("%d rounds, the columns alternating in each; a figure is the median of the rounds, (a–b) their range", o.Rounds))
	if o.Python != "" && r.Python != nil && r.Python.micro != nil && r.Python.micro.StartMethod != "" {
		out = append(out, fmt.Sprintf("python: %s start method, %d workers; its figures come from the same run, after ours",
			r.Python.micro.StartMethod, r.Python.micro.Workers))
	}
	out = append(out, "figures are unpinned, on a machine that may be shared: compare ratios within this run")
	return out
}
