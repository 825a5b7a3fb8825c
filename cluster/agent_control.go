package cluster

import (
	"encoding/json"
	"os"

	"github.com/nats-io/nats.go"
)

// onControl acts on a control message for a task this agent holds, and
// says so to a client that asked: a client that gets no answer knows that
// nobody runs the task. Messages for tasks held elsewhere are ignored.
func (a *Agent) onControl(m *nats.Msg) {
	run, id, err := parseSubject(m.Subject, subjectControl)
	if err != nil {
		return
	}
	cause := errCancel
	if string(m.Data) == ctlKill {
		cause = errKilled
	}
	n := a.cancelHeld(cause, func(j *job) bool { return j.run == run && j.id == id })
	if n == 0 {
		return
	}
	a.log.Info("task cancelled by its client", "run", run, "job", id, "how", string(m.Data))
	if m.Reply != "" {
		_ = m.Respond([]byte(ctlHeld))
	}
}

// An AgentHello is what an agent announces on supervisor.agent.hello when it
// is ready to take tasks.
type AgentHello struct {
	Name    string `json:"name"`
	PID     int    `json:"pid"`
	Workers int    `json:"workers"`
}

// HelloSubject is where agents announce themselves when ready.
const HelloSubject = subjectHello

func (a *Agent) hello() {
	b, _ := json.Marshal(AgentHello{Name: a.cfg.Name, PID: os.Getpid(), Workers: a.pool.Size()})
	_ = a.nc.Publish(subjectHello, b)
	_ = a.nc.Flush()
}
