// Package frame is the supervisor's data plane: length-prefixed frames on a
// Unix socketpair between the supervisor and a worker process, read and
// written with plain blocking system calls on the calling goroutine.
//
// # Pieces
//
//   - Pair makes the socketpair; one end goes to the worker as one of
//     exec.Cmd.ExtraFiles.
//   - Conn reads and writes frames: a 4-byte little-endian payload length,
//     then the payload. Reads are buffered (many small frames per read(2));
//     large frames are read straight into a buffer of their size; writes can
//     be queued (Buffer) and go out together in one writev(2).
//   - Mux puts request/response on a Conn: an 8-byte tag first in every
//     payload matches responses to callers. Call is the synchronous form,
//     safe for concurrent use; Send and Recv the pipelined form (RecvOwned
//     when the caller keeps the response, Ready to drain a burst before
//     sending more). CallV and SendV take a request in parts, so that a
//     large payload behind a small header is written where it is.
//   - Serve is the worker side of a Mux: it reads requests, runs a handler
//     inline for each, and coalesces the replies (ReplyV for a reply in
//     parts).
//
// # Why not gRPC for the data plane
//
// go-plugin and gRPC stay the control plane. On the data path, a gRPC call
// costs HTTP/2 framing and flow control, header compression, protobuf
// marshalling and, above all, several hand-offs between goroutines (the
// transport's reader and writer loops, the netpoller waking a parked
// goroutine), each worth microseconds and a chance to be descheduled. A
// round trip here is one write and one read on each side, with no
// goroutine switch: ~4-5 µs p50 between two processes on a 2-core VM, and
// a few hundred ns per message when requests are pipelined, since a burst of
// frames moves in one system call each way.
//
// # Spinning
//
// Before a read blocks, the reader polls the socket with non-blocking recv
// calls for an adaptive budget (capped by WithSpin, default DefaultSpin,
// WithSpin(0) turns it off). The reason is the wake-up: on these VMs a
// thread blocked in read(2) on an idle vCPU takes 20-100 µs to run again
// after the peer's write, several times the whole round trip. Measured
// (frame_bench_test.go, 2 vCPUs): without spinning a lone round trip is
// either ~5.5 µs (when the kernel keeps both threads on one CPU) or ~36 µs
// p50 / ~90 µs p99 (when it does not), and it flips between the two from run
// to run; with spinning it is ~4.5 µs p50 and ~25 µs p99 every time.
//
// Spinning burns CPU, so it is bounded and polite: the budget adapts to
// recent waits (it grows when the data came within the cap, halves when a
// wait outlasts it, so an idle or slow peer costs about 2 µs of polling per
// wait); each poll is followed by sched_yield, so a thread waiting for the
// CPU (the peer, or anything else) runs first; and a reader that finds it
// was descheduled mid-spin stops spinning at once.
//
// # Threading model
//
// The package starts no goroutines. Reads happen on the goroutine that asks
// for a frame (ReadFrame, Call, Recv, Serve) and block its OS thread in
// read(2): the Go runtime counts it as in a system call and lets another
// thread take its P, so each blocked reader costs a thread, not a P. Close
// wakes a blocked reader or writer with shutdown(2).
//
// Locking goroutines to threads (runtime.LockOSThread) is the caller's
// choice. Measured, it changes little for a spinning reader (the goroutine
// never parks, so it keeps its thread anyway): ~4.5 µs p50 and ~25 µs p99
// either way. Without spinning it hurt: a locked goroutine that blocks in
// read(2) is woken through its own thread only, and the lone round trip
// often settled at ~36 µs p50 (against ~5.5 µs unlocked), as did pipelined
// throughput with one worker (~1.2 M msgs/s locked, ~2 M unlocked). Recommendation: lock the
// worker's Serve goroutine (it owns the thread for the worker's life) and
// leave spinning on; lock a supervisor-side caller only if it is a dedicated
// goroutine, such as one driving a pipeline.
//
// # Caveats
//
// A spinning reader holds its P while it polls (each poll is a short system
// call, too short for the runtime to hand the P away), so with GOMAXPROCS=1
// other goroutines in that process wait up to the spin cap (100 µs) for each
// wait of the reader, and once it blocks, up to a sysmon tick (20 µs to
// 10 ms) before the runtime retakes the P. Give workers GOMAXPROCS >= 2, or
// turn spinning off where other goroutines in the process matter more.
//
// With more spinning readers than cores (say two pipelined workers plus
// their two callers on 2 cores), the yield and the descheduling check keep
// spinning from starving the threads that produce the replies; measured,
// two pipelined workers reach 4-5 M msgs/s with spinning on or off. (Before
// the yield, spinning cut that to ~1.3 M msgs/s.)
// Responses are coalesced only when requests come in bursts, and a slow
// handler delays the replies queued before it until the burst is done (see
// Serve and ReplyWriter.Flush).
package frame
