//go:build !linux

package demo

// restoreDefaultSIGSEGV does nothing outside Linux: there the segv task ends
// in the Go runtime's own fatal "unexpected fault" instead of the signal.
func restoreDefaultSIGSEGV() {}
