//go:build unix && !linux

package process

// newProgressMap makes no record outside Linux (no memfd): LostError and
// Answer report ProgressUnknown there.
func newProgressMap() (*progressMap, error) { return nil, nil }

func (p *progressMap) close() {}

func openProgress() *progressRecord { return localProgress() }
