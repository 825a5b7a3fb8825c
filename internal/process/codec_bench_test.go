package process

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/procpool/supervisor/worker"
)

// Benchmarks of the frame path's encoding and of a worker's handling of a
// batch, in this process: the per-task CPU that the data path costs on each
// side, without the transport. ns/op is per task.

func echoBatch(n int) batch {
	tasks := make([]worker.Task, n)
	for i := range tasks {
		tasks[i] = worker.Task{Name: "echo", Input: []byte("x")}
	}
	return batch{first: 1, tasks: tasks}
}

func batchSizes(b *testing.B, f func(b *testing.B, n int)) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			f(b, n)
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "tasks/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/task")
		})
	}
}

// BenchmarkEncodeBatch is the host encoding a batch of no-op tasks.
func BenchmarkEncodeBatch(b *testing.B) {
	batchSizes(b, func(b *testing.B, n int) {
		bt := echoBatch(n)
		buf := appendBatch(nil, bt)
		for b.Loop() {
			buf = appendBatch(buf[:0], bt)
		}
	})
}

// BenchmarkAnswer is a worker decoding a batch, running its no-op tasks and
// encoding their outcomes: what the frame path's Serve handler does.
func BenchmarkAnswer(b *testing.B) {
	batchSizes(b, func(b *testing.B, n int) {
		body := appendBatch(nil, echoBatch(n))
		exec := newExecutor(DefaultMaxPayload, localProgress())
		var a answerer
		for b.Loop() {
			a.answer(exec, body)
		}
	})
}

// BenchmarkDecodeOutcomes is the host decoding a batch's outcomes and
// turning each into a result, as Recv's caller does.
func BenchmarkDecodeOutcomes(b *testing.B) {
	batchSizes(b, func(b *testing.B, n int) {
		var a answerer
		body := bytes.Join(a.answer(newExecutor(DefaultMaxPayload, localProgress()), appendBatch(nil, echoBatch(n))), nil)
		w := &Worker{pid: 1}
		var outs []outcome
		for b.Loop() {
			outs, _ = decodeOutcomes(body, n, 1, outs[:0])
			w.answer(pending{ticket: 1, n: n}, outs)
		}
	})
}
