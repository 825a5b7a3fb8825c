package main

import (
	"io"
	"slices"
)

// run runs the command line and returns the exit code; only main exits.
func run(args []string, stdout, stderr io.Writer) exitCode {
	if len(args) > 0 && args[0] == "worker" {
		// The hidden subcommand the supervisor starts its worker processes
		// with; they are served in main before anything else. Here, it was
		// typed by hand.
		return report(stderr, usagef("worker: this is how the supervisor starts its worker processes (go-plugin's handshake); it is not run by hand"))
	}
	if isClusterRun(args) {
		return runCluster(args, stdout, stderr)
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
