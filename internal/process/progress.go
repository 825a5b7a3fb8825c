package process

import "os"

// The progress record tells the host which task a worker was executing
// when it died, whatever the data path and however many batches were in
// flight: the worker's executor writes the sequence number of each task
// before it starts it and after it finishes, into memory shared with the
// host (a memfd, mapped on both sides), which outlives the worker. Nothing
// on the host's hot path, which reads the record once, after the death.
//
// The stores are plain, not atomic: an atomic store is a locked
// instruction on amd64, ~14 ns for the two of a task against ~1 ns plain
// (measured here), and batched no-op tasks on the frame path take ~13-150
// ns each. Plain stores are enough. In the worker only one goroutine
// writes at a time (the executor runs one batch at a time, under its
// lock), and no one reads; the host reads only once the worker has
// exited, when every store it made is in the shared page. Neither store
// can be dropped or moved across the task's call by the compiler, which
// cannot see what the call reads.

// A progressRecord is the shared memory's layout: aligned 64-bit words,
// which a store never tears.
type progressRecord struct {
	started  uint64 // the task started last
	finished uint64 // the task finished last
}

// A progressMap is the host's side of a worker's record: the memfd the
// worker inherits, and the host's mapping. A nil *progressMap is a worker
// without a record.
type progressMap struct {
	f   *os.File // handed to the worker; the runner closes it after spawn
	mem []byte
	rec *progressRecord
}

func (p *progressMap) file() *os.File {
	if p == nil {
		return nil
	}
	return p.f
}

// final reads the record, once the worker has died, and releases the
// mapping.
func (p *progressMap) final() progress {
	if p == nil || p.rec == nil {
		return progress{}
	}
	pr := progress{known: true, started: p.rec.started, finished: p.rec.finished}
	p.close()
	return pr
}

// localProgress is the record of a worker started without a shared one:
// written, never read.
func localProgress() *progressRecord { return new(progressRecord) }
