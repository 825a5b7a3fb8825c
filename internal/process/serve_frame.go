package process

import (
	"context"
	"os"
	"runtime"

	"github.com/procpool/supervisor/internal/frame"
)

// serveFrames answers the frame data path on the worker's end of the
// socketpair, on a goroutine locked to its OS thread: requests are read with
// blocking system calls and their tasks run inline, one after another, so a
// no-op task's round trip never leaves this thread. When the socket reaches
// EOF, the supervisor is gone (it closes its end only after the worker
// exits), and the worker kills its process group.
func serveFrames(data *os.File, exec *executor, maxPayload int) error {
	conn, err := frame.New(data, frameOptions(maxPayload)...)
	if err != nil {
		return err
	}
	go func() {
		runtime.LockOSThread()
		var reqs []request
		var out []byte
		_ = frame.Serve(conn, func(body []byte, w *frame.ReplyWriter) {
			reqs, out = answer(exec, body, reqs[:0], out[:0])
			_ = w.Reply(out)
		})
		// Not logged: see guardAgainstOrphaning.
		killOwnGroup(exec)
	}()
	return nil
}

// answer runs a batch of requests and encodes their outcomes, reusing reqs
// and out to spare the allocations.
func answer(exec *executor, body []byte, reqs []request, out []byte) ([]request, []byte) {
	reqs, err := decodeRequests(body, reqs)
	if err != nil {
		// The host never sends this; answering nothing makes its call fail
		// as a corrupt message rather than hang.
		return reqs, out
	}
	out = le.AppendUint32(out, uint32(len(reqs)))
	for _, r := range reqs {
		o := exec.run(context.Background(), r)
		out = appendOutcome(out, &o)
	}
	return reqs, out
}
