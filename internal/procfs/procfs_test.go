package procfs

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestReadSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	st, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.RSS < 1<<20 || st.CPU < 0 {
		t.Errorf("RSS %d, CPU %v: implausible for a running test", st.RSS, st.CPU)
	}
	m, err := ReadMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS <= 0 || m.Pss <= 0 || m.Private <= 0 || m.Private > m.RSS {
		t.Errorf("memory %+v", m)
	}
	cpus, err := CPUsAllowed(os.Getpid())
	if err != nil || cpus == "" || strings.ContainsAny(cpus, " \n") {
		t.Errorf("CPUsAllowed = %q, %v", cpus, err)
	}
	if _, err := Read(-1); err == nil {
		t.Error("Read(-1) succeeded")
	}
}

func TestCPUPercentSince(t *testing.T) {
	t0 := time.Now()
	prev := Stat{CPU: time.Second, At: t0}
	now := Stat{CPU: 1500 * time.Millisecond, At: t0.Add(time.Second)}
	if got := now.CPUPercentSince(prev); got != 50 {
		t.Errorf("got %v%%, want 50%%", got)
	}
	if got := prev.CPUPercentSince(prev); got != 0 {
		t.Errorf("no time passed: got %v", got)
	}
}
