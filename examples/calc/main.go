// Command calc evaluates arithmetic expressions in worker processes: an
// example of embedding the supervisor library with a typed task of one's
// own. Each argument is an expression; with none, it evaluates a few,
// among them one nested so deeply that evaluating it overflows the stack,
// which kills a worker process and nothing else.
//
//	go run ./examples/calc '1+2*3' '1/0' '(2'
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/procpool/supervisor/supervisor"
)

func main() {
	supervisor.ServeWorker() // a worker process never gets past this line
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout))
}

// samples are evaluated when no expression is given: fine ones, a task
// error, a syntax error, and a bomb.
var samples = []string{"1+2*3", "(1+2)*3", "10/4", "1/0", "(2+", strings.Repeat("(", 1<<21) + "1" + strings.Repeat(")", 1<<21), "2*(3+4)"}

// run evaluates exprs and prints each answer, in input order; it returns
// the exit status: 0 if every expression evaluated, 1 otherwise.
func run(ctx context.Context, exprs []string, out io.Writer) int {
	if len(exprs) == 0 {
		exprs = samples
	}
	pool, err := supervisor.New(ctx, supervisor.Config{Workers: 2})
	if err != nil {
		fmt.Fprintln(os.Stderr, "calc:", err)
		return 2
	}
	defer pool.Stop(context.Background())

	futures := make([]*supervisor.Future[Value], len(exprs))
	for i, e := range exprs {
		futures[i] = Eval.Submit(ctx, pool, Expr{Text: e})
	}
	status := 0
	for i, f := range futures {
		v, err := f.Wait(ctx)
		if err != nil {
			status = 1
		}
		fmt.Fprintf(out, "%s => %s\n", short(exprs[i]), describe(v, err))
	}
	return status
}

// describe says what became of one expression, telling apart the kinds of
// failure a caller can act on.
func describe(v Value, err error) string {
	var syntax *SyntaxError
	var died *supervisor.WorkerError
	switch {
	case err == nil:
		return fmt.Sprint(v.Result)
	case errors.Is(err, ErrDivisionByZero):
		return "division by zero"
	case errors.As(err, &syntax):
		return fmt.Sprintf("syntax error at %d: want %s", syntax.Offset, syntax.Want)
	case errors.Is(err, supervisor.ErrQuarantined) && errors.As(err, &died):
		return fmt.Sprintf("quarantined: it killed its workers (the last exited with status %d: %s)", died.Code, died.LastWords())
	}
	return "failed: " + err.Error()
}

func short(s string) string {
	if len(s) > 30 {
		return fmt.Sprintf("%s... (%d bytes)", s[:20], len(s))
	}
	return s
}
