package control

import (
	"context"
	"os"

	"github.com/procpool/supervisor/internal/controlpb"
	"github.com/procpool/supervisor/supervisor"
)

// Snapshot answers "supervisor top": the workers, the counts of the live
// view's header, and the event lines the caller does not have yet.
func (s *service) Snapshot(_ context.Context, req *controlpb.SnapshotRequest) (*controlpb.SnapshotResponse, error) {
	st, cfg := s.t.Stats(), s.t.Config()
	resp := &controlpb.SnapshotResponse{Mode: cfg.Mode.String(), Pid: int64(os.Getpid()), Submitted: st.Submitted,
		Queued: int64(st.Queued), Paused: st.Paused}
	if cfg.Mode == supervisor.ModeProcess {
		resp.Ipc = string(cfg.IPC)
	}
	for _, w := range st.Workers {
		resp.Workers = append(resp.Workers, workerToPB(w))
	}
	for status, n := range st.Ended {
		if status == supervisor.StatusOK {
			resp.Done += n
		} else {
			resp.Failed += n
		}
	}
	if s.feed != nil {
		s.fromFeed(resp, req.GetEventsAfter())
	}
	return resp, nil
}

// fromFeed adds what only the feed knows: when the run began, the IPC
// overhead, the goroutines abandoned, the event lines.
func (s *service) fromFeed(resp *controlpb.SnapshotResponse, after uint64) {
	tot := s.feed.Totals()
	resp.StartedUnixNs = s.feed.Began().UnixNano()
	resp.OverheadP50Ns, resp.OverheadP99Ns = int64(tot.P50), int64(tot.P99)
	if len(tot.Abandoned) > 0 {
		resp.Abandoned = map[int32]int64{}
		for id, n := range tot.Abandoned {
			resp.Abandoned[int32(id)] = int64(n)
		}
	}
	for _, l := range s.feed.After(after) {
		resp.Events = append(resp.Events, &controlpb.EventLine{Seq: l.Seq, AtUnixNs: l.At.UnixNano(), Text: l.Text, Log: l.Log})
	}
}

func (s *service) Pause(_ context.Context, req *controlpb.PauseRequest) (*controlpb.PauseResponse, error) {
	if err := s.t.SetPaused(req.GetPaused()); err != nil {
		return nil, statusOf(err)
	}
	return &controlpb.PauseResponse{}, nil
}

func (s *service) Cancel(_ context.Context, req *controlpb.CancelRequest) (*controlpb.CancelResponse, error) {
	if err := s.t.CancelTask(int(req.GetWorker())); err != nil {
		return nil, statusOf(err)
	}
	return &controlpb.CancelResponse{}, nil
}

func (s *service) AddWorker(_ context.Context, req *controlpb.AddWorkerRequest) (*controlpb.AddWorkerResponse, error) {
	id, err := s.t.AddWorker(req.GetPool())
	if err != nil {
		return nil, statusOf(err)
	}
	return &controlpb.AddWorkerResponse{Worker: int32(id)}, nil
}

func (s *service) RemoveWorker(_ context.Context, req *controlpb.RemoveWorkerRequest) (*controlpb.RemoveWorkerResponse, error) {
	if err := s.t.RemoveWorker(int(req.GetWorker())); err != nil {
		return nil, statusOf(err)
	}
	return &controlpb.RemoveWorkerResponse{}, nil
}
