package main

import (
	"io"

	"github.com/procpool/supervisor/supervisor"
)

// run dispatches to a subcommand; with none, it runs a workload.
func run(args []string, stdout, stderr io.Writer) exitCode {
	if len(args) > 0 {
		switch args[0] {
		case "worker":
			// The hidden subcommand a worker process runs. Checked first
			// and with nothing else set up, so a worker starts fast.
			return report(stderr, supervisor.ServeWorker())
		case "tasks":
			return report(stderr, listTasks(args[1:], stdout))
		case "bench":
			return report(stderr, bench(args[1:], stdout, stderr))
		case "compare":
			return report(stderr, compare(args[1:], stdout, stderr))
		case "ps":
			return report(stderr, ps(args[1:], stdout))
		case "kill":
			return report(stderr, kill(args[1:], stdout))
		case "help", "-h", "-help", "--help":
			printUsage(stdout)
			return exitOK
		}
	}
	return runWorkload(args, stdout, stderr)
}
