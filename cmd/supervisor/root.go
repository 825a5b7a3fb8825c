package main

import (
	"github.com/procpool/supervisor/internal/demo"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// Why cobra: see docs/architecture.md ("The command line").

const rootLong = `supervisor runs tasks on a pool of worker processes or goroutines and
shows what each mode costs.

With no command it runs a workload: --task with the arguments as its inputs
(default: the seed's primes, in process mode). Flags may come before or
after the arguments; "--" ends the flags; an argument such as -5 is an input.
Results go to stdout, progress and logs to stderr.

Exit status: 0 every task ok; 1 some task failed; 2 usage error; 3 the
supervisor gave up (restart limit, workers cannot start, too few threads);
4 nothing to talk to (ps, kill); 128+N after signal N, the summary printed
first: 129 SIGHUP, 130 SIGINT, 143 SIGTERM.`

const rootExample = `  supervisor                                   the seed's primes, one worker process per CPU
  supervisor --mode=thread --workers=4         the same on goroutines
  supervisor --task=fetch --workers=8          the seed's URL fetch
  supervisor --task=echo --repeat=1000 --json hello
  supervisor --task=sleep --add=segv*2 --repeat=10 50ms
  supervisor compare --add=segv                both modes side by side
  supervisor top                               watch a running supervisor, from another terminal
  supervisor tasks                             every task and its argument`

// newRootCmd builds the command tree. stdout carries results, stderr
// progress, logs and errors.
func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &options{}
	root := &cobra.Command{
		Use:     "supervisor [flags] [ARG...]",
		Short:   "Run tasks on worker processes or goroutines, and measure both",
		Long:    rootLong,
		Example: rootExample,
		Version: versionString(),
		Args:    workloadArgs(o),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.args = args
			con := newConsole(stderr, o.logFormat == "json")
			return con.report(runWorkload(o, stdout, con))
		},
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(flagError)
	root.SetVersionTemplate("{{.Version}}\n")
	addWorkloadFlags(root.Flags(), o)
	addClusterFlags(root.Flags())
	completeWorkloadFlags(root)
	root.AddCommand(newTasksCmd(stdout), newCompareCmd(stdout, stderr), newBenchCmd(stdout, stderr),
		newPsCmd(stdout), newTopCmd(stdout), newKillCmd(stdout), newVersionCmd(stdout),
		rawCommand("agent", "Run one host's share of a cluster: a local pool taking tasks from NATS JetStream", runAgent))
	root.SetHelpCommand(newHelpCmd())
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	strictCompletion(root)
	return root
}

// strictCompletion makes "completion SHELL" with an unknown shell a usage
// error with a suggestion; cobra's own prints the help and exits 0.
func strictCompletion(root *cobra.Command) {
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Example = "  source <(supervisor completion bash)\n  supervisor completion fish | source"
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			var shells []string
			for _, sub := range cmd.Commands() {
				shells = append(shells, sub.Name())
			}
			return usagef("completion %q: unknown shell, want %s%s", args[0], orList(shells), didYouMean(args[0], shells, strconv.Quote))
		}
	}
}

// workloadArgs catches a mistyped command before it is taken for a task's
// input: "supervisor kil 2" says "did you mean kill?" unless "kil" is a
// fine input for the task (echo takes anything), or comes after "--".
func workloadArgs(o *options) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 || cmd.ArgsLenAtDash() == 0 || !isWord(args[0]) {
			return nil
		}
		near := suggest(args[0], commandNames(cmd))
		if len(near) == 0 || demo.CheckInput(o.task, args[0]) == nil {
			return nil
		}
		return usagef("unknown command %q; did you mean %q? (see supervisor --help)", args[0], near[0])
	}
}

// isWord reports whether s looks like a command: letters and dashes.
func isWord(s string) bool {
	return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") == ""
}

// commandNames lists the commands a user may type, for suggestions.
func commandNames(cmd *cobra.Command) []string {
	names := []string{"help"}
	for _, c := range cmd.Root().Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
			names = append(names, c.Aliases...)
		}
	}
	return names
}

// noArgs is for commands that take no arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q (see %s --help)", cmd.Name(), strings.Join(args, " "), cmd.CommandPath())
	}
	return nil
}

// newHelpCmd is "help [command]": an unknown topic is a usage error with a
// suggestion, not a page of usage and exit 0.
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  "help prints a command's usage, flags and examples, as COMMAND --help does.",
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return commandNames(cmd), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			target, _, err := root.Find(args)
			if err != nil || target == nil || (target == root && len(args) > 0) {
				return usagef("unknown help topic %q%s", strings.Join(args, " "), didYouMean(args[0], commandNames(cmd), strconv.Quote))
			}
			target.InitDefaultHelpFlag() // as COMMAND --help shows it
			target.InitDefaultVersionFlag()
			return target.Help()
		},
	}
}

// completeWorkloadFlags gives the shells the values of the flags that
// have a few: task names for --task and --add, the choices of the others.
func completeWorkloadFlags(root *cobra.Command) {
	_ = root.RegisterFlagCompletionFunc("task", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, d := range demo.Tasks() {
			out = append(out, cobra.CompletionWithDesc(d.Name, d.Summary))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	complete(root, "add", taskNames()...)
	complete(root, "mode", "process", "thread")
	complete(root, "ipc", "frame", "stream", "grpc")
	complete(root, "log-level", "debug", "info", "warn", "error")
	complete(root, "log-format", "text", "json")
	complete(root, "ui", "auto", "tui", "plain")
}

// complete makes a flag complete to fixed words.
func complete(cmd *cobra.Command, flag string, words ...string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp))
}

// rawCommand adopts a command that parses its own arguments and returns
// its exit code (help included): for a subcommand not yet on cobra's
// flags, e.g. root.AddCommand(rawCommand("agent", "...", runAgent)).
func rawCommand(use, short string, f func(args []string, stdout, stderr io.Writer) exitCode) *cobra.Command {
	return &cobra.Command{
		Use:                use,
		Short:              short,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return &exitStatus{code: f(args, cmd.OutOrStdout(), cmd.ErrOrStderr())}
		},
	}
}
