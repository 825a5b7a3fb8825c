// Package control is the running supervisor's control socket: gRPC on a
// Unix socket through which "supervisor ps" lists the workers and
// "supervisor kill" signals one. The socket lives in a per-user directory
// with mode 0700, is itself mode 0600, and the server also refuses peers
// whose uid is not its own (SO_PEERCRED), since root ignores file modes.
package control
