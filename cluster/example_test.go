package cluster_test

import (
	"context"
	"fmt"
	"os"

	"github.com/procpool/supervisor/cluster"
	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// An agent and a client on one embedded server: on many hosts, each agent
// connects to the cluster with Connect instead, and the client with Dial.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	srv, err := cluster.StartServer(cluster.ServerConfig{StoreDir: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown()

	// The agent: a local pool taking tasks from JetStream.
	pool, _ := cluster.NewLocalPool(ctx, supervisor.Config{Mode: supervisor.ModeThread, Workers: 2})
	defer pool.Stop(ctx)
	anc, _ := srv.Connect()
	defer anc.Close()
	agent, _ := cluster.NewAgent(ctx, anc, pool, cluster.AgentConfig{Name: "host-1"})
	runCtx, stopAgent := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- agent.Run(runCtx) }()
	defer func() { stopAgent(); <-done }()

	// The client.
	cnc, _ := srv.Connect()
	defer cnc.Close()
	e, _ := cluster.New(ctx, cnc, cluster.Config{})
	defer e.Stop(ctx)
	r := e.Submit(ctx, worker.Task{Name: "primes", Input: []byte("112272535095293")}).Result()
	fmt.Println(string(r.Output), r.Status, "on", r.Agent)
	// Output: 112272535095293 is prime: true ok on host-1
}
