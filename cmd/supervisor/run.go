package main

import (
	"io"

	"github.com/procpool/supervisor/supervisor"
)

// run runs the command line and returns the exit code; only main exits.
func run(args []string, stdout, stderr io.Writer) exitCode {
	if len(args) > 0 && args[0] == "worker" {
		// The hidden subcommand a worker process runs: checked before the
		// command tree is built, so that a worker starts fast.
		return report(stderr, supervisor.ServeWorker())
	}
	root := newRootCmd(stdout, stderr)
	root.SetArgs(shieldNegatives(root, args))
	return report(stderr, root.Execute())
}
