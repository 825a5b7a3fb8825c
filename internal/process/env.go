package process

// Environment variables the host sets for a worker. The worker reads them in
// Serve; nothing else should.
const (
	envWorkerID   = "SUPERVISOR_WORKER_ID"
	envMaxPayload = "SUPERVISOR_MAX_PAYLOAD"
	envLogLevel   = "SUPERVISOR_LOG_LEVEL"
	envIPC        = "SUPERVISOR_IPC"
	// envProgress says the worker has a progress record at progressFD.
	envProgress = "SUPERVISOR_PROGRESS"
	// envGuard makes the process a guard (see guard.go), not a worker.
	envGuard = "SUPERVISOR_GUARD"
)

// dataFD is the file descriptor at which a worker finds its end of the
// socketpair: ExtraFiles[0] in the host is fd 3 in the child. It is the
// frame data path and, on every data path, the worker's lifeline: when the
// supervisor dies, the worker reads EOF on it.
const dataFD = 3

// envData says how the data path's descriptors are laid out: "pipes" for
// a pipe each way, the worker reading requests from dataFD and writing
// answers to dataOutFD (the frame path, see frame.Pipes); unset for one
// socketpair at dataFD.
const envData = "SUPERVISOR_DATA"

// dataOutFD is where a worker writes the frame path's answers when its
// data path is a pipe pair: ExtraFiles[2] in the host.
const dataOutFD = 5

// progressFD is where a worker finds its progress record (see progress.go):
// ExtraFiles[1] in the host.
const progressFD = 4

// guardFD is where a guard reads the supervisor's messages: ExtraFiles[0]
// in the host.
const guardFD = 3
