// Command supervisor runs tasks on a pool of worker processes or goroutines
// and shows what each mode costs. See README.md and docs/.
package main

import "os"

func main() {
	os.Exit(int(run(os.Args[1:], os.Stdout, os.Stderr)))
}
