// Package feed keeps what a run's viewers show that arrives as it happens:
// the supervisor's events and the lines logged to stderr, as numbered
// lines, and the counts the live view's header shows (tasks ok and
// failed, the IPC overhead's percentiles, goroutines abandoned).
//
// One Feed per run, fed by the supervisor's OnEvent. The live view reads
// it in the same process; the control socket serves it to
// "supervisor top" in another. Readers ask for the lines after the last
// one they have, so several viewers can follow one run.
package feed
