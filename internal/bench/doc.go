// Package bench measures what each mode of the supervisor costs, side by
// side in one run: worker start-up, the no-op round trip, throughput at 1
// to N workers (pipelined and batched), payload echo from 1 KiB to 64 MiB,
// CPU-bound scaling on the seed's primes, idle memory per worker, and how
// soon a killed worker is replaced. Process mode is measured on every data
// path (grpc, stream, frame); thread mode alongside it. With a Python
// interpreter it also runs the seed's programs and micro-benchmarks of
// concurrent.futures (bench/python) in the same run, and compares.
//
// Figures on a shared machine drift from run to run: compare the ratios
// within one run, not absolute times across runs. Nothing here asserts a
// time; the tests check that the report is well formed.
//
// Run returns a Report; WriteText prints it as tables, encoding/json as one
// object, and Plot draws it as charts.
package bench
