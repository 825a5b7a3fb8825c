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
	out := make([]*workerpb.Outcome, len(req.GetTasks()))
	for i, t := range req.GetTasks() {
		o := s.exec.run(ctx, requestFromPB(t))
		out[i] = o.toPB()
	}
	return &workerpb.DoResponse{Outcomes: out}
}

func requestFromPB(t *workerpb.Task) request {
	r := request{seq: t.GetSeq(), task: worker.Task{Name: t.GetName(), Input: t.GetInput()}}
	if d := t.GetDeadlineUnixNano(); d != 0 {
		r.deadline = time.Unix(0, d)
	}
	return r
}

func requestToPB(r request) *workerpb.Task {
	t := &workerpb.Task{Seq: r.seq, Name: r.task.Name, Input: r.task.Input}
	if !r.deadline.IsZero() {
		t.DeadlineUnixNano = r.deadline.UnixNano()
	}
	return t
}
