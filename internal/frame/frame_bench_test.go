package frame_test

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/procpool/supervisor/internal/frame"
)

// Every benchmark runs against real worker processes (the echo helper) and
// over the knobs: spin on or off (on both sides of the socket) and lock on
// or off (runtime.LockOSThread for the calling goroutines and the worker's
// serving goroutine). Sub-benchmark names are key=value for benchstat.

type knobs struct{ spin, lock bool }

var allKnobs = []knobs{{true, true}, {true, false}, {false, true}, {false, false}}

func (k knobs) String() string { return fmt.Sprintf("spin=%s/lock=%s", onOff(k.spin), onOff(k.lock)) }

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func (k knobs) env() []string {
	env := []string{spinEnv + "=" + frame.DefaultSpin.String(), lockEnv + "=1"}
	if !k.spin {
		env[0] = spinEnv + "=0"
	}
	if !k.lock {
		env[1] = lockEnv + "=0"
	}
	return env
}

func (k knobs) opts() []frame.Option {
	if k.spin {
		return nil
	}
	return []frame.Option{frame.WithSpin(0)}
}

// lockThread locks the calling goroutine to its thread if k says so, and
// returns the matching unlock.
func (k knobs) lockThread() func() {
	if !k.lock {
		return func() {}
	}
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}

func startMuxes(b *testing.B, n int, k knobs) []*frame.Mux {
	muxes := make([]*frame.Mux, n)
	for i := range muxes {
		muxes[i] = frame.NewMux(startHelper(b, "echo", k.env(), k.opts()...))
	}
	return muxes
}

// BenchmarkRoundTrip: one small request at a time to one worker process;
// ns/op is the whole round trip, p50-ns and p99-ns its distribution.
func BenchmarkRoundTrip(b *testing.B) {
	for _, k := range allKnobs {
		b.Run(k.String(), func(b *testing.B) {
			m := startMuxes(b, 1, k)[0]
			defer k.lockThread()()
			req := make([]byte, 16)
			for i := range 1000 { // warm up both processes
				if _, err := m.Call(uint64(i), req); err != nil {
					b.Fatal(err)
				}
			}
			lat := make([]time.Duration, 0, 1<<20)
			var tag uint64
			for b.Loop() {
				t0 := time.Now()
				if _, err := m.Call(tag, req); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				tag++
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2]), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100]), "p99-ns")
		})
	}
}

// BenchmarkPipelined: one goroutine per worker process keeps 64 small
// requests in flight with Send and Recv; ns/op is per message over all
// workers.
func BenchmarkPipelined(b *testing.B) {
	benchPipelined(b, 16, 1)
}

// BenchmarkBatched: as BenchmarkPipelined, but each frame carries 100 small
// tasks of 16 bytes (a 1600-byte payload, all the transport sees); ns/op is
// per frame, tasks/s counts 100 per frame.
func BenchmarkBatched(b *testing.B) {
	benchPipelined(b, 100*16, 100)
}

func benchPipelined(b *testing.B, size, tasksPerFrame int) {
	const inFlight = 64
	for _, workers := range []int{1, 2} {
		for _, k := range allKnobs {
			b.Run(fmt.Sprintf("workers=%d/%s", workers, k), func(b *testing.B) {
				muxes := startMuxes(b, workers, k)
				req := make([]byte, size)
				for _, m := range muxes { // warm up
					if err := pipeline(m, 1000, inFlight, req); err != nil {
						b.Fatal(err)
					}
				}
				b.ResetTimer()
				var wg sync.WaitGroup
				for i, m := range muxes {
					n := b.N / workers
					if i < b.N%workers {
						n++
					}
					wg.Go(func() {
						defer k.lockThread()()
						if err := pipeline(m, n, inFlight, req); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				perSec := float64(b.N) / b.Elapsed().Seconds()
				if tasksPerFrame == 1 {
					b.ReportMetric(perSec, "msgs/s")
				} else {
					b.ReportMetric(perSec*float64(tasksPerFrame), "tasks/s")
				}
			})
		}
	}
}

// pipeline has n requests answered through m, keeping up to inFlight sent
// and unanswered.
func pipeline(m *frame.Mux, n, inFlight int, req []byte) error {
	sent := 0
	for ; sent < min(n, inFlight); sent++ {
		if err := m.Send(uint64(sent), req); err != nil {
			return err
		}
	}
	for range n {
		if _, _, err := m.Recv(); err != nil {
			return err
		}
		if sent < n {
			if err := m.Send(uint64(sent), req); err != nil {
				return err
			}
			sent++
		}
	}
	return nil
}

// BenchmarkEcho16MiB: a 16 MiB payload to a worker and back, one at a
// time, with Call (the response is a new buffer each time) and with
// Send+Recv (the Mux reuses its buffers). MB/s counts the payload once.
func BenchmarkEcho16MiB(b *testing.B) {
	const size = 16 << 20
	for _, api := range []string{"call", "send"} {
		for _, k := range allKnobs {
			b.Run(fmt.Sprintf("api=%s/%s", api, k), func(b *testing.B) {
				m := startMuxes(b, 1, k)[0]
				defer k.lockThread()()
				req := make([]byte, size)
				b.SetBytes(size)
				var tag uint64
				for b.Loop() {
					tag++
					var err error
					if api == "call" {
						_, err = m.Call(tag, req)
					} else if err = m.Send(tag, req); err == nil {
						_, _, err = m.Recv()
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
