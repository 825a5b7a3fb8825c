package cluster

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	_ "github.com/procpool/supervisor/internal/demo" // the built-in tasks, in the workers too
	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// The test binary doubles as a worker process: with envTestWorker set it
// serves tasks instead of running tests (the TestMain re-exec pattern of
// golang/go's os/exec tests).
const envTestWorker = "SUPERVISOR_TEST_WORKER"

func TestMain(m *testing.M) {
	supervisor.ServeWorker()
	os.Exit(m.Run())
}

func testWorkerCommand() (*exec.Cmd, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envTestWorker+"=1", "GORACE=atexit_sleep_ms=0")
	return cmd, nil
}

// testTimeout bounds every wait in these tests, so that a bug fails a test
// rather than hanging it.
const testTimeout = 60 * time.Second

// startServer starts an in-process server with no listener for one test.
func startServer(t *testing.T) *Server {
	t.Helper()
	srv, err := StartServer(ServerConfig{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatalf("StartServer: %v", err)
	}
	t.Cleanup(srv.Shutdown)
	return srv
}

func connect(t *testing.T, srv *Server) *nats.Conn {
	t.Helper()
	nc, err := srv.Connect()
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// A testAgent is an agent running for one test, with what it did.
type testAgent struct {
	*Agent
	nc     *nats.Conn
	pool   Pool
	cancel context.CancelFunc
	done   chan error
	events chan agentEvent
	exits  chan supervisor.WorkerExited // its workers' ends, process mode
	once   sync.Once
}

type agentEvent struct {
	job      uint64
	delivery int    // for "held"
	how      string // "held", or how the message was settled
}

// startAgent starts an agent on a real local pool, stopped when the test
// ends, even if it fails, after which none of its workers may be alive.
func startAgent(t *testing.T, srv *Server, name string, pc supervisor.Config, topo Topology) *testAgent {
	t.Helper()
	ta := &testAgent{events: make(chan agentEvent, 1000), exits: make(chan supervisor.WorkerExited, 100),
		done: make(chan error, 1)}
	pc.WorkerCommand = testWorkerCommand
	pc.Grace = orDefault(pc.Grace, 100*time.Millisecond)
	pc.Workers = orDefault(pc.Workers, 1)
	pc.OnEvent = func(e supervisor.Event) {
		if x, ok := e.(supervisor.WorkerExited); ok {
			select {
			case ta.exits <- x:
			default:
			}
		}
	}
	pool, err := NewLocalPool(context.Background(), pc)
	if err != nil {
		t.Fatalf("local pool: %v", err)
	}
	ta.pool = pool
	ta.nc = connect(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	a, err := NewAgent(ctx, ta.nc, pool, AgentConfig{Name: name, Topology: topo, Drain: time.Millisecond})
	if err != nil {
		_ = pool.Stop(context.Background())
		t.Fatalf("NewAgent: %v", err)
	}
	a.hooks.held = func(_ string, job uint64, d int) { ta.events <- agentEvent{job: job, delivery: d, how: "held"} }
	a.hooks.settled = func(_ string, job uint64, how string) { ta.events <- agentEvent{job: job, how: how} }
	ta.Agent = a
	runCtx, stop := context.WithCancel(context.Background())
	ta.cancel = stop
	go func() { ta.done <- a.Run(runCtx) }()
	t.Cleanup(func() { ta.stop(t) })
	return ta
}

// stop stops the agent and its pool and checks that no worker is left.
// Safe to call twice.
func (ta *testAgent) stop(t *testing.T) { ta.once.Do(func() { ta.stopOnce(t) }) }

func (ta *testAgent) stopOnce(t *testing.T) {
	ta.cancel()
	select {
	case <-ta.done:
	case <-time.After(testTimeout):
		t.Errorf("agent %s did not stop", ta.Name())
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	_ = ta.pool.Stop(ctx)
	if lp, ok := ta.pool.(*localPool); ok {
		for _, p := range lp.s.Stats().Processes {
			if p.PID != os.Getpid() && syscall.Kill(p.PID, 0) == nil {
				t.Errorf("agent %s: worker pid %d still alive after stop", ta.Name(), p.PID)
			}
		}
	}
}

// lose makes the agent's host vanish from JetStream's view: its connection
// closes, so it heart-beats nothing and answers nothing.
func (ta *testAgent) lose() { ta.nc.Close() }

// next waits for the agent's next event of kind how ("held", "answered", ...).
func (ta *testAgent) next(t *testing.T, how string) agentEvent {
	t.Helper()
	timeout := time.After(testTimeout)
	for {
		select {
		case e := <-ta.events:
			if e.how == how {
				return e
			}
		case <-timeout:
			t.Fatalf("agent %s: no %q event", ta.Name(), how)
		}
	}
}

func orDefault[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// newExecutor returns an executor for one test, stopped when it ends. The
// cluster's streams are set up first with topo, as an agent would.
func newExecutor(t *testing.T, srv *Server, cfg Config, topo ...Topology) *Executor {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	declareTopology(t, srv, append(topo, Topology{})[0])
	e, err := New(ctx, connect(t, srv), cfg)
	if err != nil {
		t.Fatalf("New executor: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		_ = e.Stop(ctx)
	})
	return e
}

// wait waits for f's result with a timeout, so a bug hangs no test.
func wait(t *testing.T, f *supervisor.Future[[]byte]) Result {
	t.Helper()
	select {
	case <-f.Done():
		return f.Result()
	case <-time.After(testTimeout):
		t.Fatalf("task %d (%s): no result after %v", f.ID(), f.Task().Name, testTimeout)
		return Result{}
	}
}

func task(name, input string) worker.Task { return worker.Task{Name: name, Input: []byte(input)} }

// collect gathers OnResult's calls.
type collect struct {
	mu  sync.Mutex
	all []Result
}

func (c *collect) add(r Result) {
	c.mu.Lock()
	c.all = append(c.all, r)
	c.mu.Unlock()
}

// declareTopology sets up the cluster's streams with topo, as an agent does.
func declareTopology(t *testing.T, srv *Server, topo Topology) {
	t.Helper()
	js, err := jetstream.New(connect(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := declare(context.Background(), js, topo.withDefaults()); err != nil {
		t.Fatalf("declare: %v", err)
	}
}
