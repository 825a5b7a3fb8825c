package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/procpool/supervisor/supervisor"
)

// The recipe: the test binary doubles as the worker process, so TestMain
// serves it first when it was started as one.
func TestMain(m *testing.M) {
	supervisor.ServeWorker()
	os.Exit(m.Run())
}

func TestCalcInWorkerProcesses(t *testing.T) {
	var out bytes.Buffer
	status := run(context.Background(), samples, &out)
	got := out.String()
	for _, want := range []string{
		"1+2*3 => 7\n",
		"(1+2)*3 => 9\n",
		"10/4 => 2.5\n",
		"1/0 => division by zero\n",
		"(2+ => syntax error at 3: want a number or '('\n",
		"=> quarantined: it killed its workers (the last exited with status 2: fatal error: stack overflow)",
		"2*(3+4) => 14\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if status != 1 {
		t.Errorf("exit status %d, want 1 (some expressions failed)", status)
	}
}
