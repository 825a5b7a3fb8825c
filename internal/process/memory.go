package process

import (
	"bytes"
	"os"
	"strconv"
)

// SampleMemory reads the worker's peak resident memory so far (VmHWM in
// /proc/<pid>/status) and keeps the largest read, which Usage reports as
// PeakRSS once the worker has exited. It returns that largest read, in
// bytes, or 0 where it cannot be read (not Linux, or the worker is gone:
// a zombie's memory has left /proc already, so the last read before the
// exit is what counts). The supervisor calls it with its periodic sample;
// the host also reads it once at start and once when it learns of the
// exit. Safe for concurrent use; it costs one small read of /proc.
func (w *Worker) SampleMemory() int64 {
	return w.runner.samplePeak()
}

// samplePeak reads VmHWM unless the child has been reaped, whose PID may
// belong to another process by now, and returns the largest read so far.
func (r *procRunner) samplePeak() int64 {
	r.mu.Lock()
	pid, reaped := r.pid, r.reaped
	if pid == 0 || reaped {
		r.mu.Unlock()
		return r.peak.Load()
	}
	// Read under the lock: reaping waits for it, so the PID is still ours.
	hwm := readVmHWM(pid)
	r.mu.Unlock()
	for {
		old := r.peak.Load()
		if hwm <= old || r.peak.CompareAndSwap(old, hwm) {
			return max(old, hwm)
		}
	}
}

// readVmHWM reads a process's peak resident set size in bytes from
// /proc/<pid>/status; 0 when it cannot.
func readVmHWM(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	_, rest, ok := bytes.Cut(b, []byte("\nVmHWM:"))
	if !ok {
		return 0
	}
	line, _, _ := bytes.Cut(rest, []byte{'\n'})
	f := bytes.Fields(line) // "1234 kB"
	if len(f) < 1 {
		return 0
	}
	kib, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil {
		return 0
	}
	return kib << 10
}
