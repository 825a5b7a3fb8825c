package main

import (
	"io"
	"slices"

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
	err := root.Execute()
	// A mistake found before the run began (a bad flag) is reported in
	// the log format asked for, too.
	return codeOf(newConsole(stderr, wantsJSONLogs(args)).report(err))
}

// wantsJSONLogs reports whether the command line asks for JSON on stderr.
func wantsJSONLogs(args []string) bool {
	if i := slices.Index(args, "--"); i >= 0 {
		args = args[:i]
	}
	for i, a := range args {
		if a == "--log-format=json" || a == "--log-format" && i+1 < len(args) && args[i+1] == "json" {
			return true
		}
	}
	return false
}
