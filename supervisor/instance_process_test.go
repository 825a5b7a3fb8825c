package supervisor

import (
	"testing"

	"github.com/procpool/supervisor/internal/process"
)

// The library's names for the data paths and its payload default are
// process mode's own.
func TestProcessModeNamesAgree(t *testing.T) {
	for _, ipc := range process.IPCs {
		if _, err := ParseIPC(string(ipc)); err != nil {
			t.Errorf("data path %q: %v", ipc, err)
		}
	}
	if DefaultMaxPayload != process.DefaultMaxPayload {
		t.Errorf("DefaultMaxPayload %d, process mode's %d", DefaultMaxPayload, process.DefaultMaxPayload)
	}
}
