package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagError turns pflag's errors into one line that names the flag and the
// bad value, says what is wanted, and suggests the flag meant:
// "--worker=3" gets "unknown flag --worker; did you mean --workers?".
func flagError(cmd *cobra.Command, err error) error {
	var (
		notExist *pflag.NotExistError
		invalid  *pflag.InvalidValueError
		missing  *pflag.ValueRequiredError
	)
	switch {
	case errors.As(err, &notExist):
		if short := notExist.GetSpecifiedShortnames(); short != "" {
			return usagef("unknown flag -%s (see %s --help)", short, cmd.CommandPath())
		}
		name := notExist.GetSpecifiedName()
		return usagef("unknown flag --%s%s (see %s --help)", name, didYouMean(name, flagNames(cmd), dashes), cmd.CommandPath())
	case errors.As(err, &invalid):
		var want *errFlagValue
		why := fmt.Sprint(invalid.Unwrap())
		if errors.As(err, &want) {
			why = want.msg
		}
		return usagef("--%s=%s: %s", invalid.GetFlag().Name, invalid.GetValue(), why)
	case errors.As(err, &missing):
		return usagef("--%s needs a value (see %s --help)", missing.GetFlag().Name, cmd.CommandPath())
	}
	return usagef("%v (see %s --help)", err, cmd.CommandPath())
}

func dashes(name string) string { return "--" + name }

// flagNames lists the flags cmd takes, for suggestions.
func flagNames(cmd *cobra.Command) []string {
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	return names
}

// shieldNegatives lets an argument that looks like a negative number reach
// the task as an input, as it always has ("-5" is refused by the primes
// task with its own message): pflag would read it as shorthand flags. When
// there is one, the command line is rewritten with every flag first, in
// order, then "--" and every input, in order. Command lines of a
// subcommand are left as they are.
func shieldNegatives(root *cobra.Command, args []string) []string {
	var flags, inputs []string
	negatives := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			inputs = append(inputs, args[i+1:]...)
			i = len(args)
		case isNegative(a):
			inputs, negatives = append(inputs, a), true
		case strings.HasPrefix(a, "-") && len(a) > 1:
			flags = append(flags, a)
			if takesValue(root.Flags(), a) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		default:
			if len(inputs) == 0 && isCommand(root, a) {
				return args
			}
			inputs = append(inputs, a)
		}
	}
	if !negatives {
		return args
	}
	return append(append(flags, "--"), inputs...)
}

// isNegative reports whether a looks like a negative number: -5, -0.5.
func isNegative(a string) bool {
	return len(a) > 1 && a[0] == '-' && a[1] >= '0' && a[1] <= '9'
}

// takesValue reports whether a flag written as "--name" (no "=") takes
// the next argument as its value.
func takesValue(fs *pflag.FlagSet, a string) bool {
	name, ok := strings.CutPrefix(a, "--")
	if !ok || strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(name)
	return f != nil && f.NoOptDefVal == ""
}

// isCommand reports whether word names a subcommand, hidden ones included.
func isCommand(root *cobra.Command, word string) bool {
	for _, c := range root.Commands() {
		if c.Name() == word || c.HasAlias(word) {
			return true
		}
	}
	return false
}
