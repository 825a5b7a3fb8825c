// Package control is the running supervisor's control socket: gRPC on a
// Unix socket through which "supervisor ps" lists the workers and
// "supervisor kill" signals one. The socket lives in a per-user directory
// with mode 0700, is itself mode 0600, and the server also refuses peers
// whose uid is not its own (SO_PEERCRED), since root ignores file modes.
//
// Nothing is left behind and nothing else is touched: Bind replaces only
// a stale socket (one nobody listens on) and refuses any other file at its
// path; Close removes only the socket it bound; Sweep removes the sockets
// of supervisors that died without closing theirs (SIGKILL), identified by
// the PID in their name.
package control
