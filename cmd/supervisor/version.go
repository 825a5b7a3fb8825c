package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the commit it was built from",
		Long: `version prints the module version, the VCS commit the binary was built from
(with its time, and "modified" if the tree had uncommitted changes) and the
Go toolchain, as recorded in the binary at build time.`,
		Example: "  supervisor version\n  supervisor --version",
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(stdout, versionString())
			return err
		},
	}
}

// versionString reads what the Go toolchain recorded in the binary.
func versionString() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "supervisor (no build information)"
	}
	return formatVersion(info, runtime.GOOS+"/"+runtime.GOARCH)
}

// formatVersion writes the module version, the commit (if the build
// recorded one: go build -buildvcs), and the toolchain.
func formatVersion(info *debug.BuildInfo, platform string) string {
	s := "supervisor " + info.Main.Version
	settings := map[string]string{}
	for _, kv := range info.Settings {
		settings[kv.Key] = kv.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		s += ", commit " + rev[:min(12, len(rev))]
		if t := settings["vcs.time"]; t != "" {
			s += " of " + t
		}
		if settings["vcs.modified"] == "true" {
			s += " (modified)"
		}
	}
	return fmt.Sprintf("%s, %s %s", s, info.GoVersion, platform)
}

// buildVersion is the module version and the VCS commit (12 digits) the
// binary was built from, either empty when not recorded: the labels of
// supervisor_info.
func buildVersion() (version, revision string) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", ""
	}
	for _, kv := range info.Settings {
		if kv.Key == "vcs.revision" {
			revision = kv.Value[:min(12, len(kv.Value))]
		}
	}
	return info.Main.Version, revision
}
