// Package rundir gives a supervisor one private directory for the sockets
// it and its workers use (go-plugin's, the control socket), so that nothing
// it creates is left in $TMPDIR when it stops or dies.
//
// The layout is
//
//	$TMPDIR/supervisor-<uid>/            mode 0700, owned by the user
//	$TMPDIR/supervisor-<uid>/<pid>-<start>-<random>/   one per supervisor, 0700
//
// where <pid> and <start> name the owner process: its PID and its start
// time (field 22 of /proc/<pid>/stat, in clock ticks since boot). A
// directory whose owner no longer runs is stale; [Create] sweeps stale
// siblings of the directory it makes, so a supervisor killed with SIGKILL
// leaves its directory only until the next one starts. The start time is
// what tells a dead owner from a new process that got its PID: PIDs are
// reused, start times are not.
//
// The package never removes anything it did not make: only directories
// (not symbolic links, not files) in the user's own parent, owned by the
// user, named as it names them, whose owner is known to be dead.
package rundir
