package rundir

import (
	"os"
	"sync"
	"testing"
)

// Supervisors starting and stopping at once with one $TMPDIR (the
// command's tests do, in parallel): one removes the per-user parent as it
// empties while another is about to make its directory there. Create must
// not fail for that.
func TestCreateWhileOthersRemoveTheParent(t *testing.T) {
	base, err := os.MkdirTemp("", "rr") // short: see MaxPathLen
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for range 300 {
				d, err := Create(base)
				if err != nil {
					errs <- err
					return
				}
				if err := d.Remove(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
