package cluster

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// A client never creates the cluster's streams: it waits for the agents',
// which own the settings. (A client that created them with its own, before
// the agents, had them rescaled under it, and in the chaos test a run was
// dropped while its lease was being moved.)
func TestClientWaitsForTheAgentsStreams(t *testing.T) {
	srv := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := New(ctx, connect(t, srv), Config{})
	if !errors.Is(err, errNoTopology) {
		t.Fatalf("New without agents: %v; want it to wait for their streams", err)
	}
	js, _ := jetstream.New(connect(t, srv))
	if _, err := js.Stream(context.Background(), StreamTasks); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Errorf("the client created the streams: %v", err)
	}
}

// One check that finds no lease does not drop a run: the read may have hit
// a stream whose leader just changed. Checks that find it missing for a
// third of the lease do. (The first version dropped the run, and purged its
// tasks, on one miss.)
func TestRunIsDroppedOnlyAfterMissesOverAThirdOfTheLease(t *testing.T) {
	srv := startServer(t)
	lease := 600 * time.Millisecond
	declareTopology(t, srv, Topology{RunLease: lease})
	js, _ := jetstream.New(connect(t, srv))
	leases, err := js.Stream(context.Background(), StreamRuns)
	if err != nil {
		t.Fatal(err)
	}
	var r runs
	r.init(js, leases, lease)
	if !r.alive("nobody") {
		t.Fatal("a run was dropped on its first missing lease")
	}
	if !r.alive("nobody") {
		t.Fatal("a run was dropped on a second check straight after the first")
	}
	deadline := time.After(testTimeout)
	tick := time.NewTicker(lease / 6)
	defer tick.Stop()
	for r.alive("nobody") {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatal("a run whose lease stays missing is never dropped")
		}
	}
	r.mu.Lock()
	st := r.seen["nobody"]
	r.mu.Unlock()
	if st.checked.Sub(st.missing) < lease/3 {
		t.Errorf("dropped %s after the first miss, before a third of the lease", st.checked.Sub(st.missing))
	}
}

// Only this package may import NATS: the library, the domain and the
// worker's start-up path never do, and the CLI reaches it through here.
func TestOnlyClusterImportsNATS(t *testing.T) {
	const mod = "github.com/procpool/supervisor/"
	for _, pkg := range []string{"supervisor", "worker", "internal/process", "internal/inproc", "internal/frame"} {
		out, err := exec.Command("go", "list", "-deps", mod+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		if strings.Contains(string(out), "github.com/nats-io/") {
			t.Errorf("%s depends on NATS", pkg)
		}
	}
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, mod+"cmd/supervisor").Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "github.com/nats-io/") {
		t.Errorf("cmd/supervisor imports NATS directly:\n%s", out)
	}
}

// A run outlives an outage of the leases' stream longer than its lease: its
// client could not renew meanwhile. Once the stream takes writes again, the
// client has two renewals' time before the run is judged. (The first
// version judged the lease's age in the stream, and dropped a live run, and
// its tasks, after a host was frozen and another killed in a row; the
// second took answered reads for a working stream, which a leader without
// its quorum still gives.)
func TestRunOutlivesAnOutageOfItsLeases(t *testing.T) {
	const lease = 3 * time.Second
	t0 := time.Unix(1000, 0)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	msg := func(seq uint64) *jetstream.RawStreamMsg { return &jetstream.RawStreamMsg{Sequence: seq} }
	down := errors.New("no response from stream")
	cases := []struct {
		name  string
		steps []func(r *runs) bool
		alive bool
	}{
		{"renewed", []func(r *runs) bool{
			func(r *runs) bool { return r.observe("R", msg(1), nil, at(0)) },
			func(r *runs) bool { return r.observe("R", msg(2), nil, at(time.Second)) },
			func(r *runs) bool { return r.observe("R", msg(3), nil, at(4*time.Second)) },
		}, true},
		{"not renewed while the stream answers", []func(r *runs) bool{
			func(r *runs) bool { return r.observe("R", msg(1), nil, at(0)) },
			func(r *runs) bool { return r.observe("R", msg(1), nil, at(2*time.Second)) },
			func(r *runs) bool { return r.observe("R", msg(1), nil, at(4*time.Second)) },
		}, false},
		{"outage, then the lease aged out", []func(r *runs) bool{
			func(r *runs) bool { return r.observe("R", msg(1), nil, at(0)) },
			func(r *runs) bool { return r.observe("R", nil, down, at(2*time.Second)) },
			func(r *runs) bool { return r.observe("R", nil, down, at(8*time.Second)) },
			func(r *runs) bool { return r.observe("R", nil, jetstream.ErrMsgNotFound, at(9*time.Second)) },
			func(r *runs) bool { return r.observe("R", nil, jetstream.ErrMsgNotFound, at(10*time.Second)) },
		}, true},
		{"outage, then renewed", []func(r *runs) bool{
			func(r *runs) bool { return r.observe("R", msg(1), nil, at(0)) },
			func(r *runs) bool { return r.observe("R", nil, down, at(8*time.Second)) },
			func(r *runs) bool { return r.observe("R", msg(1), nil, at(9*time.Second)) },
			func(r *runs) bool { return r.observe("R", msg(4), nil, at(10*time.Second)) },
			func(r *runs) bool { return r.observe("R", msg(4), nil, at(12*time.Second)) },
		}, true},
		{"aged out and not renewed once steady", []func(r *runs) bool{
			func(r *runs) bool { return r.observe("R", msg(1), nil, at(0)) },
			func(r *runs) bool { return r.observe("R", nil, jetstream.ErrMsgNotFound, at(2*time.Second)) },
			func(r *runs) bool { return r.observe("R", nil, jetstream.ErrMsgNotFound, at(3*time.Second)) },
		}, false},
		{"outage, then no renewal once steady", []func(r *runs) bool{
			func(r *runs) bool { return r.observe("R", msg(1), nil, at(0)) },
			func(r *runs) bool { return r.observe("R", nil, down, at(8*time.Second)) },
			func(r *runs) bool { return r.observe("R", msg(1), nil, at(9*time.Second)) },
			func(r *runs) bool { return r.observe("R", msg(1), nil, at(11*time.Second)) },
		}, false},
		{"ended by its client", []func(r *runs) bool{
			func(r *runs) bool { return r.observe("R", msg(1), nil, at(0)) },
			func(r *runs) bool {
				m := msg(2)
				m.Header = map[string][]string{hdrRunState: {runEnded}}
				return r.observe("R", m, nil, at(time.Second))
			},
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r runs
			r.init(nil, nil, lease)
			var alive bool
			for _, step := range c.steps {
				alive = step(&r)
			}
			if alive != c.alive {
				t.Errorf("alive = %v, want %v", alive, c.alive)
			}
		})
	}
}
