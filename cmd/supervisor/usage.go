package main

import (
	"fmt"
	"io"
	"strings"
)

func printUsage(w io.Writer) {
	var flags strings.Builder
	fs := newFlagSet(&options{})
	fs.SetOutput(&flags)
	fs.PrintDefaults()
	fmt.Fprintf(w, `supervisor runs tasks on a pool of worker processes or goroutines and
shows what each mode costs.

Usage:
  supervisor [flags] [ARG...]   run a workload (default: the seed's primes, in process mode)
  supervisor tasks              list the tasks and their arguments
  supervisor bench [flags]      measure both modes side by side (see supervisor bench --help)

Flags may come before or after the arguments; "--" ends the flags.

%s
Exit status: 0 every task ok, 1 some task failed, 2 usage error, 3 the supervisor gave up.
`, flags.String())
}
