package supervisor

import "testing"

// A testBackend is a mode and, in process mode, a data path: what a test that
// depends on how tasks travel runs against.
type testBackend struct {
	mode Mode
	ipc  IPC
}

var backends = []testBackend{{ModeProcess, IPCFrame}, {ModeProcess, IPCStream}, {ModeProcess, IPCGRPC}, {ModeThread, ""}}

func (b testBackend) String() string {
	if b.mode == ModeThread {
		return "thread"
	}
	return "process/" + string(b.ipc)
}

// config is cfg on this testBackend.
func (b testBackend) config(cfg Config) Config {
	cfg.Mode, cfg.IPC = b.mode, b.ipc
	return cfg
}

// forEachBackend runs f against both modes and, in process mode, every
// data path, in parallel.
func forEachBackend(t *testing.T, f func(t *testing.T, b testBackend)) {
	for _, b := range backends {
		t.Run(b.String(), func(t *testing.T) {
			t.Parallel()
			f(t, b)
		})
	}
}
