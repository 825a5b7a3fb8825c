package supervisor_test

import (
	"context"
	"fmt"

	"github.com/procpool/supervisor/internal/demo"
	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// The seed's ProcessPoolExecutor example, on goroutines. With ModeProcess
// (the default) the same code runs each task in a worker process; the
// program must then call supervisor.ServeWorker when started as "worker".
func Example() {
	s, err := supervisor.New(context.Background(), supervisor.Config{Mode: supervisor.ModeThread, Workers: 2})
	if err != nil {
		panic(err)
	}
	defer s.Stop(context.Background())

	var futures []*supervisor.Future[[]byte]
	for _, n := range demo.SeedPrimes {
		futures = append(futures, s.Submit(context.Background(), worker.Task{Name: "primes", Input: []byte(n)}))
	}
	for _, f := range futures {
		r := f.Result()
		fmt.Println(string(r.Output))
	}
	// Output:
	// 112272535095293 is prime: true
	// 112582705942171 is prime: true
	// 112272535095293 is prime: true
	// 115280095190773 is prime: true
	// 115797848077099 is prime: true
	// 1099726899285419 is prime: false
}

// AsCompleted yields futures as their tasks end, like Python's
// as_completed; a failed task's error says why.
func ExampleAsCompleted() {
	s, err := supervisor.New(context.Background(), supervisor.Config{Mode: supervisor.ModeThread, Workers: 2})
	if err != nil {
		panic(err)
	}
	defer s.Stop(context.Background())

	ok := s.Submit(context.Background(), worker.Task{Name: "echo", Input: []byte("hello")})
	bad := s.Submit(context.Background(), worker.Task{Name: "primes", Input: []byte("abc")})
	results := map[uint64]supervisor.Result{}
	for f, err := range supervisor.AsCompleted(context.Background(), ok, bad) {
		if err != nil {
			panic(err)
		}
		results[f.ID()] = f.Result()
	}
	fmt.Println(results[ok.ID()].Status, string(results[ok.ID()].Output))
	fmt.Println(results[bad.ID()].Status, results[bad.ID()].Err)
	// Output:
	// ok hello
	// error bad input for primes: "abc": want an integer from 0 to 18446744073709551615
}
