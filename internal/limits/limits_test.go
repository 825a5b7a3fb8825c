package limits

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		name   string
		b      Budget
		mode   string
		n      int
		fits   bool
		naming string
	}{
		{"root is exempt", Budget{NProc: -1, MaxThreads: 10000, Own: 10}, "process", 1000, true, ""},
		{"fits ulimit", Budget{NProc: 60, InUse: 6, MaxThreads: 10000, Own: 6}, "process", 2, true, ""},
		{"over ulimit", Budget{NProc: 60, InUse: 6, MaxThreads: 10000, Own: 6}, "process", 20, false, "ulimit -u"},
		{"over Go's limit", Budget{NProc: -1, MaxThreads: 10000, Own: 10}, "process", 5000, false, "Go's thread limit"},
		{"goroutines ignore ulimit", Budget{NProc: 60, InUse: 6, MaxThreads: 10000, Own: 6}, "thread", 2000, true, ""},
		{"goroutines over Go's limit", Budget{NProc: -1, MaxThreads: 10000, Own: 6}, "thread", 20000, false, "Go's thread limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.b.Check(c.mode, c.n)
			if (err == nil) != c.fits {
				t.Fatalf("Check(%s, %d) = %v, fits %v", c.mode, c.n, err, c.fits)
			}
			if err == nil {
				return
			}
			if !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), c.naming) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line naming %q, wrapping ErrBudget", err, c.naming)
			}
		})
	}
}

func TestCurrent(t *testing.T) {
	b := Current()
	if b.MaxThreads < 100 || b.Own < 1 {
		t.Errorf("budget %+v", b)
	}
	if os.Geteuid() == 0 && b.NProc != -1 {
		t.Errorf("root is exempt from RLIMIT_NPROC, budget %+v", b)
	}
	if b.NProc >= 0 && b.InUse < b.Own {
		t.Errorf("the user runs fewer threads (%d) than this process (%d)", b.InUse, b.Own)
	}
	if got := Current().MaxThreads; got != b.MaxThreads {
		t.Errorf("reading Go's limit changed it: %d then %d", b.MaxThreads, got)
	}
}

func TestUserThreadsCountsThisProcess(t *testing.T) {
	if n := userThreads(os.Getuid()); n < ownThreads() {
		t.Errorf("userThreads = %d, this process alone runs %d", n, ownThreads())
	}
}
