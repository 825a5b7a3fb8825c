package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/procpool/supervisor/internal/frame"
	"github.com/procpool/supervisor/internal/process"
)

// The peers measured beside our columns in every round: the floors (a
// byte to a child process and back with blocking system calls, on a
// socketpair and on pipes: what a round trip costs with nothing else) and
// go-plugin as its users use it (one unary gRPC call per task to a plain
// plugin). Their columns are "floor/socketpair", "floor/pipe" and
// "go-plugin"; Python's, from micro.py in the same round, are
// "python/process" and "python/thread".

// floorCase and peerCase make the columns of the peers.
func floorCase(k frame.FloorKind) caseFields {
	return caseFields{Case: "floor/" + string(k), Mode: "floor", IPC: string(k)}
}

var goPluginCase = caseFields{Case: "go-plugin", Mode: "go-plugin", IPC: "grpc"}

func pythonCase(executor string) caseFields {
	return caseFields{Case: "python/" + executor, Mode: "python"}
}

// floorRoundTrips measures one floor: tasks round trips after a warm-up.
func floorRoundTrips(o Options, k frame.FloorKind) (RoundTrip, error) {
	f, err := process.StartFloor(o.WorkerCommand, k)
	if err != nil {
		return RoundTrip{}, err
	}
	warm := make([]time.Duration, roundTripWarmup)
	err = f.RoundTrips(warm)
	samples := make([]time.Duration, o.Tasks)
	before := cpuTime(f.PID())
	if err == nil {
		err = f.RoundTrips(samples)
	}
	cpu := cpuTime(f.PID()) - before
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return RoundTrip{}, fmt.Errorf("floor %s: %w", k, err)
	}
	d := distOf(samples)
	return RoundTrip{caseFields: floorCase(k), Caller: d, Worker: d, Overhead: d, samples: samples,
		cpuPerTask: perTask(cpu, len(samples))}, nil
}

// pluginRoundTrips measures the go-plugin peer: one no-op at a time.
func pluginRoundTrips(ctx context.Context, o Options) (RoundTrip, error) {
	p, err := process.StartPluginPeer(o.WorkerCommand)
	if err != nil {
		return RoundTrip{}, err
	}
	defer p.Close()
	for range roundTripWarmup {
		if _, err := p.Do(ctx, noop); err != nil {
			return RoundTrip{}, fmt.Errorf("go-plugin: %w", err)
		}
	}
	samples := make([]time.Duration, o.Tasks)
	before := cpuTime(p.PID())
	for i := range samples {
		t0 := time.Now()
		if _, err := p.Do(ctx, noop); err != nil {
			return RoundTrip{}, fmt.Errorf("go-plugin: %w", err)
		}
		samples[i] = time.Since(t0)
	}
	cpu := cpuTime(p.PID()) - before
	d := distOf(samples)
	return RoundTrip{caseFields: goPluginCase, Caller: d, Worker: d, Overhead: d, samples: samples,
		cpuPerTask: perTask(cpu, len(samples))}, nil
}

// pluginCallers is how many callers share each go-plugin peer process for
// throughput: concurrent unary calls are how a go-plugin user pipelines.
const pluginCallers = 8

// pluginThroughput runs no-ops through w go-plugin peers, pluginCallers
// callers each, for about d.
func pluginThroughput(ctx context.Context, o Options, w int, d time.Duration) (Throughput, error) {
	t := Throughput{caseFields: goPluginCase, Shape: shapePipelined, Workers: w, InFlight: pluginCallers, Chunksize: 1}
	var peers []*process.PluginPeer
	defer func() {
		for _, p := range peers {
			p.Close()
		}
	}()
	var pids []int
	for range w {
		p, err := process.StartPluginPeer(o.WorkerCommand)
		if err != nil {
			return t, err
		}
		peers, pids = append(peers, p), append(pids, p.PID())
	}
	run := func(dur time.Duration) (int, error) {
		var mu sync.Mutex
		var firstErr error
		total := 0
		var wg sync.WaitGroup
		end := time.Now().Add(dur)
		for _, p := range peers {
			for range pluginCallers {
				wg.Go(func() {
					n := 0
					for time.Now().Before(end) && ctx.Err() == nil {
						if _, err := p.Do(ctx, noop); err != nil {
							mu.Lock()
							firstErr = err
							mu.Unlock()
							return
						}
						n++
					}
					mu.Lock()
					total += n
					mu.Unlock()
				})
			}
		}
		wg.Wait()
		return total, firstErr
	}
	if _, err := run(d / 5); err != nil { // warm-up
		return t, fmt.Errorf("go-plugin throughput: %w", err)
	}
	before, begin := cpuTime(pids...), time.Now()
	n, err := run(d)
	elapsed := time.Since(begin)
	if err != nil {
		return t, fmt.Errorf("go-plugin throughput: %w", err)
	}
	t.Tasks, t.ElapsedNs, t.TasksPerS = n, int64(elapsed), float64(n)/elapsed.Seconds()
	t.cpuPerTask = perTask(cpuTime(pids...)-before, n)
	return t, nil
}

// setFloorRatios sets each round trip's p50 as a multiple of the best
// floor's in the same round.
func setFloorRatios(rts []RoundTrip) {
	var best int64
	for _, x := range rts {
		if x.Mode == "floor" && (best == 0 || x.Caller.P50Ns < best) {
			best = x.Caller.P50Ns
		}
	}
	if best == 0 {
		return
	}
	for i := range rts {
		rts[i].vsFloor = float64(rts[i].Caller.P50Ns) / float64(best)
	}
}

// pythonPeers adds micro.py's round trips and throughput of one round as
// columns beside ours.
func pythonPeers(r *Report) {
	if r.Python == nil || r.Python.micro == nil {
		return
	}
	m := r.Python.micro
	for _, rt := range m.RoundTrip {
		d := Dist{P50Ns: rt.P50Ns, P99Ns: rt.P99Ns}
		r.RoundTrip = append(r.RoundTrip, RoundTrip{caseFields: pythonCase(rt.Executor), Caller: d})
	}
	for _, tp := range m.Throughput {
		shape := shapePipelined
		if tp.Chunksize > 1 {
			shape = shapeBatched
		}
		r.Throughput = append(r.Throughput, Throughput{caseFields: pythonCase("process"), Shape: shape,
			Workers: tp.Workers, Chunksize: tp.Chunksize, TasksPerS: tp.TasksPerS})
	}
	setFloorRatios(r.RoundTrip)
}
