package supervisor_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/procpool/supervisor/internal/demo"
	"github.com/procpool/supervisor/supervisor"
)

// Map is Python's Executor.map with a chunksize: the seed's primes, three
// to a message, results in input order. In process mode each chunk is one
// message to a worker process, and with Config.InFlight above one several
// chunks are outstanding on each worker at once.
func ExampleSupervisor_Map() {
	s, err := supervisor.New(context.Background(), supervisor.Config{Mode: supervisor.ModeThread, Workers: 2})
	if err != nil {
		panic(err)
	}
	defer s.Stop(context.Background())

	inputs := make([][]byte, len(demo.SeedPrimes))
	for i, n := range demo.SeedPrimes {
		inputs[i] = []byte(n)
	}
	for out, err := range s.Map(context.Background(), "primes", slices.Values(inputs), 3) {
		fmt.Println(string(out), err)
	}
	// Output:
	// 112272535095293 is prime: true <nil>
	// 112582705942171 is prime: true <nil>
	// 112272535095293 is prime: true <nil>
	// 115280095190773 is prime: true <nil>
	// 115797848077099 is prime: true <nil>
	// 1099726899285419 is prime: false <nil>
}
