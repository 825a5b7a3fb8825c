package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/procpool/supervisor/internal/clitext"
	"strings"
	"time"

	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// Payload is the echo of a payload of Bytes bytes, one at a time on one
// worker.
type Payload struct {
	caseFields
	Bytes int `json:"payload_bytes"`
	Dist
	// MBPerS is Bytes over the p50 round trip, in 10^6 bytes per second:
	// the payload is counted once although it crosses twice, as in
	// micro.py. 0 in thread mode, where nothing is copied.
	MBPerS float64 `json:"mb_per_s"`
	// P50 and Rate are the p50 round trip and MB/s over the rounds.
	P50Spread *Spread `json:"p50_spread,omitempty"`
	Rate      *Spread `json:"mb_per_s_spread,omitempty"`
	// Error is what the caller got instead, for a payload over the limit.
	Error string `json:"error,omitempty"`
}

// LimitCheck is what a caller gets for a payload one byte over the
// process-mode limit: an error naming the limit and the flag that raises
// it, never gRPC's bare ResourceExhausted.
type LimitCheck struct {
	caseFields
	LimitBytes int    `json:"limit_bytes"`
	Bytes      int    `json:"payload_bytes"`
	Error      string `json:"error"`
	TooLarge   bool   `json:"too_large"`  // errors.Is(err, worker.ErrTooLarge)
	NamesFlag  bool   `json:"names_flag"` // the message names --max-payload
}

// OK reports whether the over-the-limit payload failed as it should.
func (l LimitCheck) OK() bool { return l.TooLarge && l.NamesFlag }

// payloadSamples is how many echoes of size are timed: many small ones,
// at least a few of the largest.
func payloadSamples(o Options, size int) int {
	budget, most, least := 256<<20, 1000, 5
	if o.Quick {
		budget, most, least = 64<<20, 50, 3
	}
	return min(max(budget/size, least), most)
}

func measurePayload(ctx context.Context, o Options, r *Report) error {
	for _, c := range o.cases() {
		s, err := o.newPool(c, supervisor.Config{Workers: 1})
		if err != nil {
			return err
		}
		err = payloads(ctx, o, c, s, r)
		if err == nil && c.Mode == supervisor.ModeProcess {
			r.PayloadLimit = append(r.PayloadLimit, overLimit(ctx, o, c, s))
		}
		stop(s)
		if err != nil {
			return err
		}
	}
	return nil
}

func payloads(ctx context.Context, o Options, c Case, s *supervisor.Supervisor, r *Report) error {
	for _, size := range o.Sizes {
		n := payloadSamples(o, size)
		o.progress("payload %s: %d echoes of %d bytes", c, n, size)
		p := Payload{caseFields: fieldsOf(c), Bytes: size}
		ds, err := echoes(ctx, s, size, n)
		var tooLarge *tooLargeError
		switch {
		case errors.As(err, &tooLarge):
			p.Error = tooLarge.msg
		case err != nil:
			return fmt.Errorf("payload %s, %d bytes: %w", c, size, err)
		default:
			p.Dist = distOf(ds)
			if c.Mode == supervisor.ModeProcess { // a goroutine gets the caller's slice: nothing moves
				p.MBPerS = float64(size) / 1e6 / p.P50().Seconds()
			}
		}
		r.Payload = append(r.Payload, p)
	}
	return nil
}

// tooLargeError is a payload refused for its size: a result to report,
// not a failure of the benchmark.
type tooLargeError struct{ msg string }

func (e *tooLargeError) Error() string { return e.msg }

// echoes times n echoes of size bytes, after an untimed one that checks
// the bytes come back unchanged.
func echoes(ctx context.Context, s *supervisor.Supervisor, size, n int) ([]time.Duration, error) {
	in := pattern(size)
	task := worker.Task{Name: "echo", Input: in}
	tctx := timed(ctx)
	res := s.Submit(tctx, task).Result()
	if errors.Is(res.Err, worker.ErrTooLarge) {
		return nil, &tooLargeError{msg: clitext.Err(res.Err)}
	}
	if res.Err != nil {
		return nil, res.Err
	}
	if !bytes.Equal(res.Output, in) {
		return nil, fmt.Errorf("echo returned %d bytes that differ from the %d sent", len(res.Output), len(in))
	}
	out := make([]time.Duration, n)
	for i := range out {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		begin := time.Now()
		res := s.Submit(tctx, task).Result()
		out[i] = time.Since(begin)
		if res.Err != nil {
			return nil, res.Err
		}
	}
	return out, nil
}

// pattern is size bytes that are not all alike, so that a transport that
// mixed up offsets would be caught.
func pattern(size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

func overLimit(ctx context.Context, o Options, c Case, s *supervisor.Supervisor) LimitCheck {
	size := o.MaxPayload + 1
	o.progress("payload %s: one echo of %d bytes, over the limit", c, size)
	res := s.Submit(ctx, worker.Task{Name: "echo", Input: make([]byte, size)}).Result()
	l := LimitCheck{caseFields: fieldsOf(c), LimitBytes: o.MaxPayload, Bytes: size}
	if res.Err != nil {
		l.Error = clitext.Err(res.Err)
		l.TooLarge = errors.Is(res.Err, worker.ErrTooLarge)
		l.NamesFlag = strings.Contains(l.Error, "--max-payload")
	}
	return l
}
