package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Tests for the seed's claims as the CLI shows them (docs/seed-claims.md).

func TestBadPoolSpecs(t *testing.T) {
	for _, spec := range []string{"cpu", "=2:primes", "cpu=0:primes", "cpu=x:primes", "cpu=2:nosuchtask"} {
		t.Run(spec, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "--pool", spec)
			if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, spec) {
				t.Errorf("--pool %s: exit %d, stderr %q; want exit 2 and one line naming it", spec, r.code, r.stderr)
			}
		})
	}
	r := runCLI(t, "--pool", "cpu=1:primes", "--task=sleep", "1ms")
	if r.code != 2 || !strings.Contains(r.stderr, "no --pool takes it") {
		t.Errorf("a task no pool takes: exit %d, %q", r.code, r.stderr)
	}
	r = runCLI(t, "--pool", "a=1:primes", "--pool", "a=1:sleep")
	if r.code != 2 || !strings.Contains(r.stderr, "named twice") {
		t.Errorf("a pool named twice: exit %d, %q", r.code, r.stderr)
	}
}

func TestPoolsAndAffinityShowInPs(t *testing.T) {
	r := startCLI(t, "--pool", "cpu=1:sleep", "--pool", "io=1:echo", "--cpu-affinity",
		"--task=sleep", "--repeat=20", "--add=echo:x*3", "100ms")
	sock := waitSocket(t, r)
	var ps runResult
	waitFor(t, 10*time.Second, "ps to show the CPUs", func() bool {
		ps = runCLI(t, "ps", "--control="+sock)
		return regexp.MustCompile(`(?m)^1\s+cpu\s.*\s0\s*$`).MatchString(ps.stdout)
	})
	if !regexp.MustCompile(`(?m)^2\s+io\s`).MatchString(ps.stdout) || !strings.Contains(ps.stdout, "CPUS") {
		t.Errorf("ps does not show the pools and CPUs:\n%s", ps.stdout)
	}
}

func TestCompareShowsSharedAndSeparateMemory(t *testing.T) {
	r := runCLI(t, "compare", "--task=counter", "--repeat=100", "--workers=2")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	line := ""
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(l, "counter") {
			line = l
		}
	}
	// Thread mode: one process counted every task, to 100. Process mode:
	// each worker counted its own share from 1, and the shares add up.
	total := 0
	for _, m := range regexp.MustCompile(`counted to (\d+)`).FindAllStringSubmatch(line, -1) {
		n, _ := strconv.Atoi(m[1])
		total += n
	}
	if !strings.Contains(line, "counted to 100") || total != 200 {
		t.Errorf("counter row %q: want the process workers' counts to add up to 100, and thread mode's to be 100", line)
	}
}

func TestCompareWithTheGIL(t *testing.T) {
	r := runCLI(t, "compare", "--gil", "--repeat=2")
	if r.code != 0 || !strings.Contains(r.stdout, "thread + GIL") || !strings.Contains(r.stdout, "is an emulation") {
		t.Errorf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, "--gil"); r.code != 2 {
		t.Errorf("--gil in process mode: exit %d, want 2", r.code)
	}
}
