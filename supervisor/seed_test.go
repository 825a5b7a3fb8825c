package supervisor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/procpool/supervisor/internal/process"
	"github.com/procpool/supervisor/worker"
)

// Tests for the seed's claims that need more than a timing to show:
// shared versus separate memory, pools and affinity. (The GIL emulation is
// the demo's: internal/demo tests it.)

func submitN(t *testing.T, s *Supervisor, n int, task worker.Task) []Result {
	t.Helper()
	var fs []*Future[[]byte]
	for range n {
		fs = append(fs, s.Submit(context.Background(), task))
	}
	out := make([]Result, n)
	for i, f := range fs {
		out[i] = wait(t, f)
		if out[i].Err != nil {
			t.Fatalf("task %d: %v", out[i].ID, out[i].Err)
		}
	}
	return out
}

func counts(rs []Result) map[int][]int {
	byPID := map[int][]int{}
	for _, r := range rs {
		n, _ := strconv.Atoi(string(r.Output))
		byPID[r.PID] = append(byPID[r.PID], n)
	}
	for _, v := range byPID {
		slices.Sort(v)
	}
	return byPID
}

func TestCounterIsSharedInThreadMode(t *testing.T) {
	s := newTest(t, Config{Mode: ModeThread, Workers: 4})
	byPID := counts(submitN(t, s, 100, worker.Task{Name: "counter"}))
	if len(byPID) != 1 {
		t.Fatalf("thread mode ran in %d processes", len(byPID))
	}
	for _, v := range byPID {
		// One heap: a hundred increments of one counter, each value once.
		if len(slices.Compact(slices.Clone(v))) != 100 || v[99]-v[0] != 99 {
			t.Errorf("values %v: want 100 consecutive values of one counter", v)
		}
	}
}

func TestCounterIsSeparateInProcessMode(t *testing.T) {
	s := newTest(t, Config{Mode: ModeProcess, Workers: 2, Spares: -1})
	byPID := counts(submitN(t, s, 100, worker.Task{Name: "counter"}))
	total := 0
	for pid, v := range byPID {
		// Each worker process counts from 1 in its own memory.
		if v[0] != 1 || v[len(v)-1] != len(v) {
			t.Errorf("pid %d counted %v: want 1..%d", pid, v, len(v))
		}
		total += len(v)
	}
	if total != 100 {
		t.Fatalf("%d tasks counted, want 100", total)
	}
	// A restarted worker starts from zero.
	old := s.Stats().Workers[0]
	if err := s.Kill(old.ID); err != nil {
		t.Fatal(err)
	}
	for _, w := range s.waitReplaced(t, old) {
		if w.ID != old.ID {
			continue
		}
		for _, r := range submitN(t, s, 20, worker.Task{Name: "counter"}) {
			if r.PID == w.PID && string(r.Output) == "1" {
				return
			}
		}
		t.Errorf("the replacement of worker %d never counted 1", old.ID)
	}
}

// waitReplaced waits until worker w runs in a new process.
func (s *Supervisor) waitReplaced(t *testing.T, w WorkerInfo) []WorkerInfo {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ws := s.Stats().Workers
		for _, x := range ws {
			if x.ID == w.ID && x.PID != w.PID && x.State == StateIdle {
				return ws
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("worker %d not replaced", w.ID)
	return nil
}

func TestPoolsRouteTasks(t *testing.T) {
	forEachMode(t, func(t *testing.T, mode Mode) {
		s := newTest(t, Config{Mode: mode, Pools: []Pool{
			{Name: "cpu", Workers: 1, Tasks: []string{"primes"}},
			{Name: "io", Workers: 2, Tasks: []string{"sleep", "echo"}},
		}})
		pool := map[int]string{}
		for _, w := range s.Stats().Workers {
			pool[w.ID] = w.Pool
		}
		want := map[string]string{"primes": "cpu", "sleep": "io", "echo": "io"}
		for name, in := range map[string]string{"primes": "112272535095293", "sleep": "1ms", "echo": "x"} {
			for _, r := range submitN(t, s, 4, worker.Task{Name: name, Input: []byte(in)}) {
				if pool[r.Worker] != want[name] {
					t.Errorf("%s ran on worker %d of pool %q, want pool %q", name, r.Worker, pool[r.Worker], want[name])
				}
			}
		}
		r := wait(t, s.Submit(context.Background(), worker.Task{Name: "spin", Input: []byte("1ms")}))
		if !errors.Is(r.Err, ErrNoPool) {
			t.Errorf("a task no pool takes: %v, want ErrNoPool", r.Err)
		}
	})
}

func TestCPUAffinityIsApplied(t *testing.T) {
	cpus, err := process.AllowedCPUs()
	if err != nil {
		t.Skip(err)
	}
	s := newTest(t, Config{Mode: ModeProcess, Workers: 2, CPUAffinity: true})
	for _, w := range s.Stats().Workers {
		want := strconv.Itoa(cpus[(w.ID-1)%len(cpus)])
		threads, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", w.PID))
		if len(threads) == 0 {
			t.Fatalf("worker %d: no threads in /proc", w.ID)
		}
		for _, th := range threads {
			b, err := os.ReadFile(th)
			if err != nil {
				continue // the thread exited
			}
			if got := allowedList(string(b)); got != want {
				t.Errorf("worker %d thread %s: Cpus_allowed_list %q, want %q", w.ID, filepath.Base(filepath.Dir(th)), got, want)
			}
		}
	}
	r := wait(t, s.Submit(context.Background(), worker.Task{Name: "primes", Input: []byte("112272535095293")}))
	if r.Err != nil {
		t.Fatal(r.Err)
	}
}

func allowedList(status string) string {
	for _, line := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
