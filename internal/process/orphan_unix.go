//go:build unix

package process

import (
	"io"
	"os"
	"os/signal"
	"syscall"
)

// guardAgainstOrphaning makes sure a worker and everything it started die
// with the supervisor, however the supervisor dies (golang/go#27505 explains
// why the host sets the parent-death signal from a locked thread; go-plugin
// itself leaves orphans, hashicorp/go-plugin#210). Two independent triggers
// lead to the same end, killing the worker's whole process group:
//
//   - SIGHUP, which the host asks the kernel to send when it dies (Pdeathsig);
//   - EOF on the data socketpair, which the kernel closes when the host dies.
//
// A worker is the leader of its own process group, so the group is exactly
// the worker and its descendants.
//
// Nothing is logged on the way out: the supervisor that would read it is
// gone, and a write to its closed stderr pipe would raise SIGPIPE and end
// the worker before it had killed its group.
func guardAgainstOrphaning(data *os.File, exec *executor) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		<-hup
		killOwnGroup(exec)
	}()
	if os.Getenv(envIPC) == string(IPCFrame) {
		return // the frame server reads the socket and reports EOF itself
	}
	go func() {
		// Blocks in read(2) until the host's end closes; nothing is sent on
		// this path when tasks go over gRPC.
		_, _ = io.Copy(io.Discard, data)
		killOwnGroup(exec)
	}()
}

func killOwnGroup(exec *executor) {
	exec.cancelAll()
	// Only a group leader may kill its group: a worker started by hand in
	// someone else's group must not take that group down with it.
	if pid := os.Getpid(); syscall.Getpgrp() == pid {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
	os.Exit(1)
}

func closeOnExec(fd int) { syscall.CloseOnExec(fd) }
