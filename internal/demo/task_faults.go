package demo

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// The fault tasks show what isolation buys. Each one's Faults text is what
// "supervisor tasks" prints and what docs/isolation.md walks through.
func init() {
	register(Task{
		Name: "panic", Args: "MESSAGE (default \"boom\")", Defaults: []string{"boom"},
		Summary: "panics in the task's own goroutine",
		Faults:  "both modes: recovered; the task fails with the stack and the worker survives",
		Run:     panicTask,
	})
	register(Task{
		Name: "crash", Args: "MESSAGE (default \"crash\")", Defaults: []string{"crash"},
		Summary: "panics in a goroutine the task starts, which nothing can recover",
		Faults:  "process: the worker dies (exit 2) and is replaced; thread: the whole supervisor dies",
		Run:     crash,
	})
	register(Task{
		Name: "exit", Args: "CODE (0-255, default 1)", Defaults: []string{"1"},
		Summary: "calls os.Exit(CODE)",
		Faults:  "process: the worker exits and is replaced; thread: the whole supervisor exits",
		Check:   checkExitCode, Run: exit,
	})
	register(Task{
		Name: "segv", Args: "(ignored)", Defaults: []string{""},
		Summary: "dies of a real SIGSEGV: restores the default handler, then writes through a nil pointer",
		Faults:  "process: the worker dies of SIGSEGV and is replaced; thread: the whole supervisor dies",
		Run:     segv,
	})
	register(Task{
		Name: "fatal", Args: "(ignored)", Defaults: []string{""},
		Summary: "triggers a Go runtime fatal error (concurrent map writes), which no recover catches",
		Faults:  "process: the worker dies (exit 2) and is replaced; thread: the whole supervisor dies",
		Run:     fatal,
	})
	register(Task{
		Name: "leak", Args: "RATE (MiB per second, default 64)", Defaults: []string{"64"},
		Summary: "allocates and touches memory without bound at RATE until cancelled; the memory stays leaked",
		Faults:  "process: only that worker grows, until --max-worker-rss replaces it; thread: the supervisor's own memory grows",
		Check:   checkLeakRate, Run: leak,
	})
	register(Task{
		Name: "hang", Args: "(ignored)", Defaults: []string{""},
		Summary: "blocks forever and ignores cancellation",
		Faults:  "process: --timeout kills and replaces the worker; thread: the goroutine is abandoned, still blocked",
		Run:     hang,
	})
}

func panicTask(_ context.Context, input []byte) ([]byte, error) {
	panic(string(input))
}

// forever blocks the calling goroutine without the runtime calling it a
// deadlock: other goroutines (the gRPC server, the supervisor) keep running.
func forever() { select {} }

func crash(_ context.Context, input []byte) ([]byte, error) {
	go func() { panic("crash: " + string(input)) }()
	forever()
	return nil, nil
}

func parseExitCode(input string) (int, error) {
	code, err := strconv.Atoi(input)
	if err != nil || code < 0 || code > 255 {
		return 0, badInput("exit", input, "want an exit code from 0 to 255")
	}
	return code, nil
}

func checkExitCode(input string) error {
	_, err := parseExitCode(input)
	return err
}

func exit(_ context.Context, input []byte) ([]byte, error) {
	code, err := parseExitCode(string(input))
	if err != nil {
		return nil, err
	}
	os.Exit(code)
	return nil, nil
}

// nilTarget is a package variable so the compiler cannot prove the store in
// segv faults and rewrite it.
var nilTarget *int

func segv(context.Context, []byte) ([]byte, error) {
	// The Go runtime turns a fault into a panic or a fatal error; to die of
	// the signal itself, as a C extension would, its handler must go first.
	restoreDefaultSIGSEGV()
	*nilTarget = 1
	forever()
	return nil, nil
}

func fatal(context.Context, []byte) ([]byte, error) {
	// Detection needs two goroutines writing at once; make sure they can.
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	m := map[int]int{}
	for range 4 {
		go func() {
			for i := 0; ; i++ {
				m[i&1023] = i
			}
		}()
	}
	forever()
	return nil, nil
}

// leaked holds what the leak task allocated, so the garbage collector can
// never return it: a real leak, in whichever process ran the task.
var leaked struct {
	sync.Mutex
	chunks [][]byte
}

func parseLeakRate(input string) (int, error) {
	rate, err := strconv.Atoi(input)
	if err != nil || rate < 1 || rate > 1<<16 {
		return 0, badInput("leak", input, "want MiB per second from 1 to 65536")
	}
	return rate, nil
}

func checkLeakRate(input string) error {
	_, err := parseLeakRate(input)
	return err
}

func leak(ctx context.Context, input []byte) ([]byte, error) {
	rate, err := parseLeakRate(string(input))
	if err != nil {
		return nil, err
	}
	const chunk = 1 << 20
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
		b := make([]byte, chunk)
		for i := 0; i < len(b); i += 4096 { // touch every page so it counts in RSS
			b[i] = 1
		}
		leaked.Lock()
		leaked.chunks = append(leaked.chunks, b)
		leaked.Unlock()
	}
}

func hang(context.Context, []byte) ([]byte, error) {
	forever()
	return nil, nil
}
