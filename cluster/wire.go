package cluster

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// Headers of a task message. The body is its inputs, each prefixed with
// its length as a uvarint: one input for Submit, a chunk of them for Map.
const (
	hdrTask    = "Supervisor-Task"    // the task's registered name
	hdrLimits  = "Supervisor-Limits"  // "RETRIES POISON-AFTER"
	hdrTimeout = "Supervisor-Timeout" // per attempt at one input, in ns; absent: none
)

// A run's lease message may say that its client ended the run.
const (
	hdrRunState = "Supervisor-Run"
	runEnded    = "ended"
)

// Control messages, the body of a message on supervisor.ctl.RUN.JOB.
const (
	ctlCancel = "cancel" // cancel the task: its worker walks the kill ladder
	ctlKill   = "kill"   // kill its worker at once; the task ends canceled
	ctlHeld   = "held"   // the reply of the agent holding the task
)

// A job is what one task message carries: one task, or a chunk of a Map
// call's inputs that run one after another on one worker.
type job struct {
	run     string
	id      uint64 // the ID of its first task; the others follow in order
	name    string
	inputs  [][]byte
	retries int // re-runs after a worker died; negative: none
	poison  int // quarantine once this many deliveries ended with a death
	timeout time.Duration
}

// limit is the delivery at which a death ends the job: quarantined at
// PoisonAfter deaths, died once the retries are used up. It mirrors the
// local pool's settle, where a death counts against both.
func (j *job) limit() int { return max(1, min(j.retries+1, j.poison)) }

// quarantines says whether a death at delivery d quarantines the job, when
// no delivery is left: d deaths reached PoisonAfter. Otherwise it died.
func (j *job) quarantines(d int) bool { return d >= j.poison }

func (j *job) msg() *nats.Msg {
	m := nats.NewMsg(taskSubject(j.run, j.id))
	m.Header.Set(hdrTask, j.name)
	m.Header.Set(hdrLimits, fmt.Sprintf("%d %d", j.retries, j.poison))
	if j.timeout > 0 {
		m.Header.Set(hdrTimeout, strconv.FormatInt(int64(j.timeout), 10))
	}
	size := 0
	for _, in := range j.inputs {
		size += binary.MaxVarintLen32 + len(in)
	}
	body := make([]byte, 0, size)
	for _, in := range j.inputs {
		body = binary.AppendUvarint(body, uint64(len(in)))
		body = append(body, in...)
	}
	m.Data = body
	return m
}

// errBadMessage is wrapped by the error for a task message this code
// cannot read: it is answered with that error, never run.
var errBadMessage = errors.New("malformed task message")

// parseJob reads a task message.
func parseJob(subject string, h nats.Header, body []byte) (*job, error) {
	j := &job{name: h.Get(hdrTask)}
	var err error
	if j.run, j.id, err = parseSubject(subject, subjectTasks); err != nil {
		return nil, err
	}
	if _, err := fmt.Sscanf(h.Get(hdrLimits), "%d %d", &j.retries, &j.poison); err != nil {
		return j, fmt.Errorf("%w: limits %q", errBadMessage, h.Get(hdrLimits))
	}
	if s := h.Get(hdrTimeout); s != "" {
		ns, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return j, fmt.Errorf("%w: timeout %q", errBadMessage, s)
		}
		j.timeout = time.Duration(ns)
	}
	for len(body) > 0 {
		n, k := binary.Uvarint(body)
		if k <= 0 || uint64(len(body)-k) < n {
			return j, fmt.Errorf("%w: truncated input", errBadMessage)
		}
		j.inputs = append(j.inputs, body[k:k+int(n):k+int(n)])
		body = body[k+int(n):]
	}
	if j.name == "" || len(j.inputs) == 0 {
		return j, fmt.Errorf("%w: no task or no input", errBadMessage)
	}
	return j, nil
}

// parseSubject splits PREFIX.RUN.JOB.
func parseSubject(subject, prefix string) (string, uint64, error) {
	rest, ok := strings.CutPrefix(subject, prefix)
	run, id, ok2 := strings.Cut(rest, ".")
	n, err := strconv.ParseUint(id, 10, 64)
	if !ok || !ok2 || err != nil || run == "" {
		return "", 0, fmt.Errorf("%w: subject %q", errBadMessage, subject)
	}
	return run, n, nil
}

// A jobResult is what one result message carries: how each task of a job
// ended, and where.
type jobResult struct {
	Agent    string        `json:"agent,omitempty"`
	Attempts int           `json:"attempts"` // the delivery that produced it
	Tasks    []taskOutcome `json:"tasks"`
}

// A taskOutcome is one task's end as it crosses the network.
type taskOutcome struct {
	Status string     `json:"status"`
	Output []byte     `json:"output,omitempty"`
	Error  *wireError `json:"error,omitempty"`
	Worker int        `json:"worker,omitempty"`
	PID    int        `json:"pid,omitempty"`
	ExecNs int64      `json:"exec_ns,omitempty"`
}

func (r *jobResult) encode() []byte {
	b, err := json.Marshal(r)
	if err != nil {
		panic("cluster: a result does not encode: " + err.Error()) // only plain types: a bug
	}
	return b
}

func decodeResult(b []byte) (*jobResult, error) {
	var r jobResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("malformed result: %w", err)
	}
	return &r, nil
}

// sameForAll is a result that gives every task of j the same end.
func sameForAll(j *job, attempts int, o taskOutcome) *jobResult {
	r := &jobResult{Attempts: attempts, Tasks: make([]taskOutcome, len(j.inputs))}
	for i := range r.Tasks {
		r.Tasks[i] = o
	}
	return r
}
