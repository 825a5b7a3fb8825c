package process

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A worker that dies, hangs or stops before its first reply makes Start
// fail promptly on every data path, and leaves nothing behind. Before the
// host closed its copy of the worker's end of the socketpair at spawn, the
// frame path's first read waited forever for a worker that had died after
// the handshake; and no first reply was bounded by a deadline.
func TestStartFaults(t *testing.T) {
	cases := []struct {
		persona  string
		deadline bool // Start fails at its deadline; else the worker's own exit fails it
		code     int
	}{
		{"exit-before-handshake", false, 3},
		{"exit-after-handshake", false, 4},
		{"stop-before-handshake", true, 0},
		{"stop-after-handshake", true, 0},
		{"hang-after-handshake", true, 0},
	}
	for _, ipc := range IPCs {
		for _, c := range cases {
			t.Run(string(ipc)+"/"+c.persona, func(t *testing.T) {
				leaks := watchLeaks(t)
				dir := shortTempDir(t)
				err := startMustFail(t, Config{ID: 7, IPC: ipc, Command: personaCommand(c.persona),
					SocketDir: dir, StartTimeout: time.Second})
				var exit *ExitError
				if !errors.As(err, &exit) {
					t.Fatalf("Start: %v; want the worker's *ExitError in the error", err)
				}
				if c.deadline && (!errors.Is(err, context.DeadlineExceeded) || exit.Sent != syscall.SIGKILL) {
					t.Errorf("Start: %v (sent %v); want DeadlineExceeded and the worker killed", err, exit.Sent)
				}
				if !c.deadline && (exit.Code != c.code || exit.Sent != 0) {
					t.Errorf("Start: %v; want the worker's own exit with status %d", err, c.code)
				}
				if !strings.HasPrefix(err.Error(), "start worker 7: ") || strings.Contains(err.Error(), "\n") {
					t.Errorf("error %q: want one line naming the worker", err)
				}
				assertGroupGone(t, exit.PID)
				assertEmptyDir(t, dir)
				leaks.check(t)
			})
		}
	}
}

// startMustFail starts a worker that must fail to start, and returns the
// error; a start that succeeds or does not return in a minute fails the
// test (and the worker is stopped).
func startMustFail(t *testing.T, cfg Config) error {
	t.Helper()
	type result struct {
		w   *Worker
		err error
	}
	got := make(chan result, 1)
	go func() {
		w, err := Start(context.Background(), cfg)
		got <- result{w, err}
	}()
	select {
	case r := <-got:
		if r.err == nil {
			_ = r.w.Stop(context.Background())
			t.Fatal("Start succeeded")
		}
		return r.err
	case <-time.After(time.Minute):
		t.Fatal("Start did not return in a minute")
	}
	return nil
}

// Workers killed at random moments of their start (before, during and
// after the handshake and the first reply) either start or fail promptly,
// and leave nothing behind.
func TestStartKilledAtRandom(t *testing.T) {
	const rounds = 12
	for _, ipc := range IPCs {
		t.Run(string(ipc), func(t *testing.T) {
			leaks := watchLeaks(t)
			dir := shortTempDir(t)
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
			failed := 0
			for range rounds {
				after := time.Duration(rng.IntN(15000)) * time.Microsecond
				cfg := Config{IPC: ipc, SocketDir: dir, StartTimeout: 10 * time.Second,
					Command: personaCommand("kill-self", envKillAfter+"="+after.String())}
				type result struct {
					w   *Worker
					err error
				}
				got := make(chan result, 1)
				go func() {
					w, err := Start(context.Background(), cfg)
					got <- result{w, err}
				}()
				var r result
				select {
				case r = <-got:
				case <-time.After(time.Minute):
					t.Fatalf("Start with a kill after %v did not return in a minute", after)
				}
				if r.err != nil {
					failed++
					var exit *ExitError
					if !errors.As(r.err, &exit) || exit.Signal != syscall.SIGKILL {
						t.Fatalf("kill after %v: %v; want the worker's death by SIGKILL", after, r.err)
					}
					assertGroupGone(t, exit.PID)
					continue
				}
				<-r.w.Done() // it kills itself in the end
				_ = r.w.Stop(context.Background())
				assertGroupGone(t, r.w.PID())
			}
			t.Logf("%d of %d starts failed", failed, rounds)
			assertEmptyDir(t, dir)
			leaks.check(t)
		})
	}
}

func assertGroupGone(t *testing.T, pid int) {
	t.Helper()
	if pid <= 0 {
		t.Errorf("no PID to check")
		return
	}
	if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process group %d still exists: %v", pid, err)
	}
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("left behind in the socket directory: %s", e.Name())
	}
}

// leakWatch notes this process's goroutines and descriptors, to check
// that a test left none of its own.
type leakWatch struct {
	goroutines map[string]bool
	fds        map[string]string
}

func watchLeaks(t *testing.T) leakWatch {
	t.Helper()
	return leakWatch{goroutines: goroutineIDs(), fds: openFDs(t)}
}

// check waits up to 10 seconds for the goroutines and descriptors that
// appeared since watchLeaks to go.
func (lw leakWatch) check(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		extraG, extraFD := lw.extra(t)
		if len(extraG) == 0 && len(extraFD) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("left behind: %d goroutines, descriptors %v:\n%s", len(extraG), extraFD, strings.Join(extraG, "\n\n"))
			return
		}
		time.Sleep(20 * time.Millisecond) // polling for cleanup to finish, not synchronising
	}
}

func (lw leakWatch) extra(t *testing.T) (gs []string, fds []string) {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		id := goroutineID(g)
		if !lw.goroutines[id] && !strings.Contains(g, "testing.tRunner") && !strings.Contains(g, "leakWatch") {
			gs = append(gs, g)
		}
	}
	for fd, target := range openFDs(t) {
		if lw.fds[fd] != target {
			fds = append(fds, fd+" -> "+target)
		}
	}
	return gs, fds
}

func goroutineIDs() map[string]bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	ids := map[string]bool{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		ids[goroutineID(g)] = true
	}
	return ids
}

func goroutineID(stack string) string {
	f := strings.Fields(stack)
	if len(f) < 2 {
		return ""
	}
	return f[1]
}

func openFDs(t *testing.T) map[string]string {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	fds := map[string]string{}
	for _, e := range ents {
		target, _ := os.Readlink("/proc/self/fd/" + e.Name())
		fds[e.Name()] = target
	}
	return fds
}
