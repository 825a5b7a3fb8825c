package process

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/procpool/supervisor/internal/workerpb"
	"github.com/procpool/supervisor/worker"
)

// grpcServer is the worker side of the Worker service.
type grpcServer struct {
	workerpb.UnimplementedWorkerServer
	exec *executor
	info *workerpb.InfoResponse
}

var _ workerpb.WorkerServer = (*grpcServer)(nil)

func (s *grpcServer) Info(context.Context, *workerpb.InfoRequest) (*workerpb.InfoResponse, error) {
	return s.info, nil
}

// Do runs the batch one task after another under the call's context.
func (s *grpcServer) Do(ctx context.Context, req *workerpb.DoRequest) (*workerpb.DoResponse, error) {
	return s.runBatch(ctx, req), nil
}

// Stream answers each batch on the stream in order, until the host closes
// its side.
func (s *grpcServer) Stream(stream workerpb.Worker_StreamServer) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(s.runBatch(stream.Context(), req)); err != nil {
			return err
		}
	}
}

func (s *grpcServer) Cancel(_ context.Context, req *workerpb.CancelRequest) (*workerpb.CancelResponse, error) {
	s.exec.cancel(req.GetSeqs())
	return &workerpb.CancelResponse{}, nil
}

func (s *grpcServer) runBatch(ctx context.Context, req *workerpb.DoRequest) *workerpb.DoResponse {
	tasks := req.GetTasks()
	reqs := make([]request, len(tasks))
	for i, t := range tasks {
		reqs[i] = requestFromPB(t)
	}
	outs := s.exec.runBatch(ctx, reqs, make([]outcome, 0, len(reqs)))
	pbs := make([]*workerpb.Outcome, len(outs))
	for i := range outs {
		pbs[i] = outs[i].toPB()
	}
	return &workerpb.DoResponse{Outcomes: pbs}
}

func requestFromPB(t *workerpb.Task) request {
	r := request{seq: t.GetSeq(), task: worker.Task{Name: t.GetName(), Input: t.GetInput()}}
	if d := t.GetDeadlineUnixNano(); d != 0 {
		r.deadline = time.Unix(0, d)
	}
	return r
}
