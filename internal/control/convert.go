package control

import (
	"time"

	"github.com/procpool/supervisor/internal/controlpb"
	"github.com/procpool/supervisor/supervisor"
)

func workerToPB(w supervisor.WorkerInfo) *controlpb.Worker {
	return &controlpb.Worker{Id: int32(w.ID), Pool: w.Pool, Pid: int64(w.PID), State: w.State.String(),
		TaskId: w.TaskID, Task: w.Task, Input: string(w.Input), BusyNs: int64(w.Busy), Done: w.Done,
		Failed: w.Failed, Restarts: w.Restarts, RssBytes: w.RSS, CpuPercent: w.CPU, Cpus: w.CPUs}
}

// WorkerInfo is a worker as the supervisor described it over the socket.
// A state this side does not know (a newer supervisor's) reads as
// supervisor.WorkerState(-1), whose String is "unknown".
func WorkerInfo(w *controlpb.Worker) supervisor.WorkerInfo {
	return supervisor.WorkerInfo{ID: int(w.GetId()), Pool: w.GetPool(), PID: int(w.GetPid()), State: parseState(w.GetState()),
		TaskID: w.GetTaskId(), Task: w.GetTask(), Input: []byte(w.GetInput()), Busy: time.Duration(w.GetBusyNs()),
		Done: w.GetDone(), Failed: w.GetFailed(), Restarts: w.GetRestarts(), RSS: w.GetRssBytes(), CPU: w.GetCpuPercent(),
		CPUs: w.GetCpus()}
}

func parseState(s string) supervisor.WorkerState {
	for _, st := range supervisor.WorkerStates() {
		if st.String() == s {
			return st
		}
	}
	return -1
}
