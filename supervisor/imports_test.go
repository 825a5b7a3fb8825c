package supervisor

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRules keeps the layering of docs/architecture.md: the domain
// stays standard-library only, go-plugin and gRPC stay behind
// internal/process, the public package never exposes them, and nothing the
// library depends on defines a demo or fault task (they are the command's,
// in internal/demo).
func TestImportRules(t *testing.T) {
	const mod = "github.com/procpool/supervisor/"
	rules := []struct {
		pkg       string
		forbidden []string
		stdOnly   bool
	}{
		{pkg: mod + "worker", stdOnly: true},
		{pkg: mod + "internal/backend", forbidden: []string{"google.golang.org/grpc", "github.com/hashicorp/go-plugin", mod + "internal/process"}},
		{pkg: mod + "internal/inproc", forbidden: []string{"google.golang.org/grpc", "github.com/hashicorp/go-plugin", mod + "internal/workerpb"}},
		{pkg: mod + "supervisor", forbidden: []string{mod + "internal/demo", mod + "cmd/", "github.com/nats-io/",
			"github.com/charmbracelet/", "charm.land/", "gonum.org/", "github.com/prometheus/client_golang", "github.com/spf13/"}},
		{pkg: mod + "internal/demo", forbidden: []string{mod + "supervisor", mod + "internal/process"}},
		// The worker processes' program links what serving tasks needs and
		// nothing of the command line: Go initialises every linked package
		// in every worker (issue 12).
		{pkg: mod + "cmd/supervisor-worker", forbidden: []string{mod + "cluster", "github.com/nats-io/",
			"github.com/charmbracelet/", "charm.land/", "gonum.org/", "github.com/prometheus/", "github.com/spf13/",
			mod + "internal/bench", mod + "internal/tui", mod + "internal/metrics", mod + "internal/control"}},
	}
	for _, r := range rules {
		deps := goListDeps(t, r.pkg)
		for _, d := range deps {
			if r.stdOnly && strings.Contains(strings.Split(d, "/")[0], ".") && !strings.HasPrefix(d, r.pkg) {
				t.Errorf("%s imports %s; it must use the standard library only", r.pkg, d)
			}
			for _, f := range r.forbidden {
				if strings.HasPrefix(d, f) {
					t.Errorf("%s depends on %s", r.pkg, d)
				}
			}
		}
	}
	direct := goListImports(t, mod+"supervisor")
	for _, d := range direct {
		if strings.HasPrefix(d, "google.golang.org/grpc") || strings.HasPrefix(d, "github.com/hashicorp/go-plugin") ||
			strings.HasPrefix(d, "google.golang.org/protobuf") || d == mod+"internal/workerpb" {
			t.Errorf("supervisor imports %s directly; only internal/process may", d)
		}
	}
}

func goListDeps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

func goListImports(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, pkg).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}
