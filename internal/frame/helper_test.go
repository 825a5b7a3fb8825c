package frame_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/procpool/supervisor/internal/frame"
)

// The test binary doubles as the worker process, in the style of
// os/exec's tests: TestMain checks helperEnv and, if set, runs the named
// helper on the socket it inherited as descriptor 3 instead of the tests.
const (
	helperEnv = "FRAME_TEST_HELPER" // the helper to run: echo, reverse, swallow
	spinEnv   = "FRAME_TEST_SPIN"   // the helper's spin cap (a duration, 0 = off)
	lockEnv   = "FRAME_TEST_LOCK"   // "0": the helper does not lock its thread
	countEnv  = "FRAME_TEST_N"      // swallow: how many requests to read
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode))
	}
	os.Exit(m.Run())
}

func runHelper(mode string) int {
	if err := helper(mode); err != nil {
		fmt.Fprintf(os.Stderr, "frame test helper %s: %v\n", mode, err)
		return 1
	}
	return 0
}

func helper(mode string) error {
	var opts []frame.Option
	if s := os.Getenv(spinEnv); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		opts = append(opts, frame.WithSpin(d))
	}
	c, err := frame.New(os.NewFile(3, "frame"), opts...)
	if err != nil {
		return err
	}
	defer c.Close()
	if os.Getenv(lockEnv) != "0" {
		runtime.LockOSThread()
	}
	switch mode {
	case "echo":
		return frame.Serve(c, func(req []byte, w *frame.ReplyWriter) { w.Reply(req) })
	case "reverse":
		return serveReversed(c)
	case "swallow":
		n, err := strconv.Atoi(os.Getenv(countEnv))
		if err != nil {
			return err
		}
		for range n {
			if _, err := c.ReadFrame(); err != nil {
				return err
			}
		}
		return nil // exit without answering: the parent reads EOF
	}
	return fmt.Errorf("unknown helper %q", mode)
}

// serveReversed echoes every burst of requests in reverse order, so that
// responses reach a Mux out of order. It uses the Conn directly: a request
// payload, tag included, is a valid response to itself.
func serveReversed(c *frame.Conn) error {
	for {
		p, err := c.ReadFrame()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		burst := [][]byte{append([]byte(nil), p...)}
		for c.Buffered() {
			p, err := c.ReadFrame()
			if err != nil {
				return err
			}
			burst = append(burst, append([]byte(nil), p...))
		}
		for i := len(burst) - 1; i >= 0; i-- {
			if err := c.Buffer(burst[i]); err != nil {
				return err
			}
		}
		if err := c.Flush(); err != nil {
			return err
		}
	}
}

// startHelper starts the test binary as a helper process serving mode on
// the remote end of a socketpair and returns a Conn on the local end. The
// child is killed in tb's cleanup, whether or not the test failed.
func startHelper(tb testing.TB, mode string, env []string, opts ...frame.Option) *frame.Conn {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	local, remote, err := frame.Pair()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(append(os.Environ(), helperEnv+"="+mode), env...)
	cmd.ExtraFiles = []*os.File{remote}
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	err = cmd.Start()
	remote.Close() // the child has its copy; ours would hide its exit
	if err != nil {
		local.Close()
		tb.Fatal(err)
	}
	c, err := frame.New(local, opts...)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		c.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	return c
}

// waitErr waits for one error from ch, failing the test if none comes
// within a generous bound: a guard against hangs, not a timing assertion.
func waitErr(t *testing.T, ch <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: still blocked after 30s", what)
		return nil
	}
}
