// Package pybench carries the Python side of "supervisor bench --python"
// inside the binary, so that the scripts are found wherever the binary is
// run from: go:embed cannot reach a parent directory, so the embedding
// file lives beside the scripts.
package pybench

import "embed"

// FS holds seed_primes.py, seed_fetch.py and micro.py.
//
//go:embed *.py
var FS embed.FS
