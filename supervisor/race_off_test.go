//go:build !race

package supervisor

// raceEnabled says the tests run under the race detector: some defects
// (issue 9, finding 6) are seen only by it.
const raceEnabled = false
