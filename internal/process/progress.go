package process

import (
	"os"
	"sync/atomic"
)

// The progress record tells the host which task a worker was executing
// when it died, whatever the data path and however many batches were in
// flight: the worker's executor writes the sequence number of each task
// before it starts it and after it finishes, into memory shared with the
// host (a memfd, mapped on both sides), which outlives the worker. Two
// atomic stores per task, a few nanoseconds; nothing on the host's hot
// path, which reads the record once, after the death.

// A progressRecord is the shared memory's layout.
type progressRecord struct {
	started  atomic.Uint64 // the task started last
	finished atomic.Uint64 // the task finished last
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
	pr := progress{known: true, started: p.rec.started.Load(), finished: p.rec.finished.Load()}
	p.close()
	return pr
}

// localProgress is the record of a worker started without a shared one:
// written, never read.
func localProgress() *progressRecord { return new(progressRecord) }
