package process

import (
	"context"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/procpool/supervisor/worker"
)

// personas are what the test binary can be when re-executed (see
// TestMain), by the name envTestWorker gives.
var personas = map[string]func() error{
	"1": Serve,
	// Start-up faults (start_test.go).
	"exit-before-handshake": func() error { os.Exit(3); return nil },
	"stop-before-handshake": func() error { stopSelf(); select {} },
	"exit-after-handshake":  func() error { fakeHandshake(); os.Exit(4); return nil },
	"stop-after-handshake":  func() error { fakeHandshake(); stopSelf(); select {} },
	"hang-after-handshake":  func() error { fakeHandshake(); select {} },
	// A real worker that SIGKILLs itself after the delay in
	// envKillAfter: a death at a random moment of its start.
	"kill-self": func() error {
		d, _ := time.ParseDuration(os.Getenv(envKillAfter))
		time.AfterFunc(d, func() { _ = syscall.Kill(os.Getpid(), syscall.SIGKILL) })
		return Serve()
	},
	// Orphans under a subreaper (guard_test.go).
	"subreaper":  subreaper,
	"supervisor": supervisorPersona,
}

const envKillAfter = "PROCESS_TEST_KILL_AFTER"

func stopSelf() { _ = syscall.Kill(os.Getpid(), syscall.SIGSTOP) }

// fakeHandshake prints a go-plugin handshake line naming a socket that
// accepts connections but never serves them: the host gets past the
// handshake, and no first reply ever comes.
func fakeHandshake() {
	path := filepath.Join(os.Getenv(plugin.EnvUnixSocketDir), "fake")
	l, err := net.Listen("unix", path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_ = l // kept open, never accepted
	fmt.Printf("%d|%d|unix|%s|grpc|\n", plugin.CoreProtocolVersion, Handshake.ProtocolVersion, path)
}

// Tasks for the tests, registered in the test binary, which is the
// worker: they write to the worker's output the ways tasks do.
func init() {
	worker.Register("test-print", testPrint)
	worker.Register("test-print-exit", func(ctx context.Context, in []byte) ([]byte, error) {
		_, _ = testPrint(ctx, in)
		os.Exit(5)
		return nil, nil
	})
	// Dies by itself, with status 6, when its context ends: a crash during
	// the kill ladder, not a kill by it.
	worker.Register("test-exit-on-cancel", func(ctx context.Context, _ []byte) ([]byte, error) {
		<-ctx.Done()
		os.Exit(6)
		return nil, nil
	})
	// Touches the MiB of memory its input says, and lets it go.
	worker.Register("test-alloc", func(_ context.Context, in []byte) ([]byte, error) {
		n, err := strconv.Atoi(string(in))
		if err != nil {
			return nil, err
		}
		b := make([]byte, n<<20)
		for i := range b {
			b[i] = 1
		}
		return []byte(strconv.Itoa(len(b))), nil
	})
	worker.Register("test-in-worker", func(context.Context, []byte) ([]byte, error) {
		return []byte(strconv.FormatBool(InWorker())), nil
	})
}

// testPrint writes input, tagged with where it went, to stdout (fmt), to
// stderr (os.Stderr and the log package), and from a child process that
// inherits both.
func testPrint(_ context.Context, input []byte) ([]byte, error) {
	s := string(input)
	fmt.Println("fmt-stdout " + s)
	fmt.Fprintln(os.Stderr, "os-stderr "+s)
	log.New(os.Stderr, "", 0).Print("log-stderr " + s)
	cmd := exec.Command("sh", "-c", `echo "child-stdout $0"; echo "child-stderr $0" >&2`, s)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, err
	}
	return []byte("printed " + strconv.Quote(s)), nil
}

func itoa(n int) string { return strconv.Itoa(n) }
