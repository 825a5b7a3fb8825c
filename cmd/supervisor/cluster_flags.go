package main

import (
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// clusterOptions are the flags a cluster run adds to a workload's.
type clusterOptions struct {
	nats     string // --nats=URL: submit to the cluster there
	embedded bool   // --cluster=embedded: a server and agents on this machine
	agents   int    // --agents=N with --cluster=embedded
}

// clusterFlags are the flags taken out of a workload's arguments.
var clusterFlags = []string{"nats", "cluster", "agents"}

// addClusterFlags lists the cluster flags in the root command's help and
// completion. A command line with one never reaches the root command:
// run sends it to runCluster first, which reads them with splitClusterArgs.
func addClusterFlags(fs *pflag.FlagSet) {
	fs.String("nats", "", "run the workload on a cluster: submit to the agents behind the NATS server at this `URL` (see supervisor agent --help)")
	fs.String("cluster", "", "embedded: run the workload on a NATS server and --agents agents started on this machine, stopped after")
	fs.Int("agents", 2, "agents started with --cluster=embedded, from 1 to 64")
}

// isClusterRun says whether args ask for a cluster run: a workload (not a
// subcommand such as agent, whose --nats is its own) with a cluster flag.
func isClusterRun(args []string) bool {
	if len(args) > 0 && args[0] == "agent" {
		return false
	}
	for _, a := range args {
		if a == "--" {
			return false
		}
		if _, _, ok := clusterFlag(a); ok {
			return true
		}
	}
	return false
}

// clusterFlag reads -NAME=V, --NAME=V, -NAME or --NAME for a cluster flag.
func clusterFlag(arg string) (name, value string, ok bool) {
	s := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	if s == arg {
		return "", "", false
	}
	name, value, _ = strings.Cut(s, "=")
	for _, f := range clusterFlags {
		if name == f {
			return name, value, true
		}
	}
	return "", "", false
}

// splitClusterArgs takes the cluster flags out of args and returns them and
// the workload's arguments.
func splitClusterArgs(args []string) (clusterOptions, []string, error) {
	var co clusterOptions
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, ok := clusterFlag(a)
		if !ok {
			rest = append(rest, a)
			continue
		}
		if !strings.Contains(a, "=") {
			if i+1 >= len(args) {
				return co, nil, usagef("--%s needs a value (see supervisor --help)", name)
			}
			i++
			value = args[i]
		}
		if err := co.set(name, value); err != nil {
			return co, nil, err
		}
	}
	return co, rest, co.check()
}

func (co *clusterOptions) set(name, value string) error {
	switch name {
	case "nats":
		co.nats = value
	case "cluster":
		if value != "embedded" {
			return usagef("--cluster=%s: want embedded (a NATS server and agents on this machine), or use --nats=URL", value)
		}
		co.embedded = true
	case "agents":
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 || n > 64 {
			return usagef("--agents=%s: want a number of agents from 1 to 64", value)
		}
		co.agents = n
	}
	return nil
}

func (co *clusterOptions) check() error {
	switch {
	case co.embedded && co.nats != "":
		return usagef("--cluster=embedded starts its own NATS server; drop --nats=%s", co.nats)
	case co.agents > 0 && !co.embedded:
		return usagef("--agents applies to --cluster=embedded; agents of a cluster at --nats run on their own hosts")
	case co.embedded && co.agents == 0:
		co.agents = 2
	}
	return nil
}

// checkClusterWorkload refuses the workload flags a cluster run cannot
// honour, rather than ignore them.
func checkClusterWorkload(o *options) error {
	switch {
	case o.chaos != "":
		return usagef("--chaos kills local workers; a cluster's workers are the agents'")
	case o.control != "":
		return usagef("--control serves a local pool; a cluster's workers are the agents'")
	case o.metricsAddr != "":
		return usagef("--metrics-addr serves a local pool's metrics; not with a cluster")
	case o.gil:
		return usagef("--gil applies to a local thread-mode pool; not with a cluster")
	case len(o.pools) > 0:
		return usagef("--pool splits a local pool; not with a cluster")
	case o.cpuAffinity:
		return usagef("--cpu-affinity pins local workers; not with a cluster")
	case o.ui == "tui":
		return usagef("--ui=tui shows a local pool; a cluster run prints plain results")
	}
	return nil
}
