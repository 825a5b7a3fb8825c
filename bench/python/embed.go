// Package pybench carries the Python side of "supervisor bench --python"
// inside the binary, so that the scripts are found wherever the binary is
// run from: go:embed cannot reach a parent directory, so the embedding
// file lives beside the scripts.
package pybench

import "embed"

// FS holds seed_primes.py, seed_fetch.py, micro.py and the cli.py they
// share; they must be written to one directory to run.
//
//go:embed *.py
var FS embed.FS
