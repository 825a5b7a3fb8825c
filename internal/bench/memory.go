package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/procpool/supervisor/internal/procfs"
	"github.com/procpool/supervisor/supervisor"
)

// Memory is the idle memory of the worker processes of a warmed pool,
// from /proc/<pid>/smaps_rollup, and of the supervisor beside them.
type Memory struct {
	caseFields
	Workers   int            `json:"workers"`
	PerWorker []WorkerMemory `json:"per_worker"`
	// Averages over the workers, in bytes. Private is what each worker
	// alone costs; Pss shares the pages it shares with the supervisor (the
	// same binary's code) among their users.
	AvgRSS     int64 `json:"worker_avg_rss_bytes"`
	AvgPss     int64 `json:"worker_avg_pss_bytes"`
	AvgPrivate int64 `json:"worker_avg_private_bytes"`
	// Private is AvgPrivate over the rounds.
	Private *Spread `json:"worker_avg_private_spread,omitempty"`
	// The supervisor process itself, for scale.
	SupervisorRSS     int64 `json:"supervisor_rss_bytes"`
	SupervisorPrivate int64 `json:"supervisor_private_bytes"`
}

// WorkerMemory is one worker process's memory, in bytes.
type WorkerMemory struct {
	PID     int   `json:"pid"`
	RSS     int64 `json:"rss_bytes"`
	Pss     int64 `json:"pss_bytes"`
	Private int64 `json:"private_bytes"`
}

// GoroutineMemory is what thread mode's workers cost: the supervisor's
// growth when Goroutines goroutine workers start, divided by their number.
type GoroutineMemory struct {
	Goroutines int `json:"workers"`
	// Per worker, in bytes: the growth of the process's private memory and
	// RSS (smaps_rollup), and of the Go heap and stacks in use
	// (runtime.MemStats HeapInuse + StackInuse).
	PrivatePer   float64 `json:"private_bytes_per_worker"`
	RSSPer       float64 `json:"rss_bytes_per_worker"`
	HeapStackPer float64 `json:"heap_stack_bytes_per_worker"`
	// GoroutinesPer is how many goroutines one worker adds (its own and
	// the supervisor's dispatcher for it).
	GoroutinesPer float64 `json:"goroutines_per_worker"`
	// StackStart is the stack a new goroutine starts with
	// (/gc/stack/starting-size:bytes), for scale: a bare goroutine's
	// cost, before the runtime's own record of it (a few hundred bytes).
	StackStart int64 `json:"goroutine_stack_start_bytes"`
}

func measureMemory(ctx context.Context, o Options, r *Report) error {
	for _, c := range o.cases() {
		if c.Mode == supervisor.ModeThread {
			continue
		}
		o.progress("memory %s: %d idle workers", c, o.Workers)
		m, err := processMemory(ctx, o, c)
		if err != nil {
			return err
		}
		r.Memory = append(r.Memory, m)
	}
	o.progress("memory thread: %d goroutine workers", o.Goroutines)
	g, err := goroutineMemory(ctx, o)
	if err != nil {
		return err
	}
	r.GoroutineMemory = &g
	return nil
}

// idleFor is how long a warmed pool rests before its memory is read.
const idleFor = 100 * time.Millisecond

func processMemory(ctx context.Context, o Options, c Case) (Memory, error) {
	s, err := o.newPool(c, supervisor.Config{Workers: o.Workers})
	if err != nil {
		return Memory{}, err
	}
	defer stop(s)
	if err := warm(ctx, s, 100*o.Workers); err != nil {
		return Memory{}, err
	}
	time.Sleep(idleFor)
	m := Memory{caseFields: fieldsOf(c), Workers: o.Workers}
	for _, w := range s.Stats().Workers {
		mem, err := procfs.ReadMemory(w.PID)
		if err != nil {
			return m, fmt.Errorf("memory %s: %w", c, err)
		}
		m.PerWorker = append(m.PerWorker, WorkerMemory{PID: w.PID, RSS: mem.RSS, Pss: mem.Pss, Private: mem.Private})
		m.AvgRSS += mem.RSS
		m.AvgPss += mem.Pss
		m.AvgPrivate += mem.Private
	}
	if n := int64(len(m.PerWorker)); n > 0 {
		m.AvgRSS, m.AvgPss, m.AvgPrivate = m.AvgRSS/n, m.AvgPss/n, m.AvgPrivate/n
	}
	self, err := procfs.ReadMemory(os.Getpid())
	if err != nil {
		return m, err
	}
	m.SupervisorRSS, m.SupervisorPrivate = self.RSS, self.Private
	return m, nil
}

// footprint is this process's memory at one moment.
type footprint struct {
	mem        procfs.Memory
	heapStack  uint64
	goroutines int
}

func measureSelf() (footprint, error) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mem, err := procfs.ReadMemory(os.Getpid())
	return footprint{mem: mem, heapStack: ms.HeapInuse + ms.StackInuse, goroutines: runtime.NumGoroutine()}, err
}

func goroutineMemory(ctx context.Context, o Options) (GoroutineMemory, error) {
	g := GoroutineMemory{Goroutines: o.Goroutines}
	before, err := measureSelf()
	if err != nil {
		return g, err
	}
	// New refuses a thread-mode pool that could pass Go's thread limit if
	// every goroutine blocked in a system call at once, and the default
	// count is that limit (10000). These workers run no-ops and never
	// block: the limit is raised for the measurement, and put back.
	defer debug.SetMaxThreads(debug.SetMaxThreads(max(o.Goroutines*2, 10000)))
	s, err := o.newPool(Case{Mode: supervisor.ModeThread}, supervisor.Config{Workers: o.Goroutines})
	if err != nil {
		return g, err
	}
	err = warm(ctx, s, o.Goroutines)
	after, err2 := measureSelf()
	stop(s)
	if err != nil || err2 != nil {
		return g, fmt.Errorf("memory thread: %w", errors.Join(err, err2))
	}
	n := float64(o.Goroutines)
	g.PrivatePer = float64(after.mem.Private-before.mem.Private) / n
	g.RSSPer = float64(after.mem.RSS-before.mem.RSS) / n
	g.HeapStackPer = float64(int64(after.heapStack)-int64(before.heapStack)) / n
	g.GoroutinesPer = float64(after.goroutines-before.goroutines) / n
	g.StackStart = stackStart()
	return g, nil
}

// stackStart is the runtime's starting stack size for new goroutines.
func stackStart() int64 {
	sample := []metrics.Sample{{Name: "/gc/stack/starting-size:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(sample[0].Value.Uint64())
}
