package main

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/procpool/supervisor/supervisor"
	"github.com/procpool/supervisor/worker"
)

// The task: evaluate an arithmetic expression. It stands for any parser of
// untrusted input: deeply nested input exhausts its stack, which in Go is
// a fatal error that no recover catches. In a worker process that kills
// only the worker; the supervisor reports it, retries the input once on a
// fresh worker, and quarantines it when it kills that one too.

// Expr is the task's input; Value its output. JSON carries both.
type Expr struct {
	Text string `json:"text"`
}

type Value struct {
	Text   string  `json:"text"`
	Result float64 `json:"result"`
}

// ErrDivisionByZero is a task's own error. Registered, it keeps its
// identity across the process boundary: errors.Is finds it in the
// supervisor as in the worker.
var ErrDivisionByZero = errors.New("calc: division by zero")

// A SyntaxError says where parsing failed. Registered, it crosses the
// boundary as a value that errors.As finds.
type SyntaxError struct {
	Offset int    `json:"offset"`
	Want   string `json:"want"`
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("calc: at %d: want %s", e.Offset, e.Want) }

// Eval is the typed task, defined at package level so that the supervisor
// and its worker processes (this program, re-executed) both know it.
var Eval = supervisor.Define("calc.eval", eval)

func init() {
	worker.RegisterError(ErrDivisionByZero)
	worker.RegisterErrorType(&SyntaxError{})
	// A goroutine's stack may grow to 1 GiB by default; a service would
	// bound what one parse can take, and this makes the bomb below go off
	// at a few MiB of input instead of hundreds.
	debug.SetMaxStack(64 << 20)
}

func eval(ctx context.Context, e Expr) (Value, error) {
	p := &parser{s: strings.ReplaceAll(e.Text, " ", "")}
	v, err := p.sum()
	if err == nil && p.i < len(p.s) {
		err = &SyntaxError{Offset: p.i, Want: "an operator"}
	}
	return Value{Text: e.Text, Result: v}, err
}

// parser is a recursive-descent parser: sum = product {(+|-) product};
// product = factor {(*|/) factor}; factor = number | (sum) | -factor.
type parser struct {
	s string
	i int
}

func (p *parser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *parser) sum() (float64, error) {
	v, err := p.product()
	for err == nil && (p.peek() == '+' || p.peek() == '-') {
		op := p.peek()
		p.i++
		var w float64
		if w, err = p.product(); op == '+' {
			v += w
		} else {
			v -= w
		}
	}
	return v, err
}

func (p *parser) product() (float64, error) {
	v, err := p.factor()
	for err == nil && (p.peek() == '*' || p.peek() == '/') {
		op := p.peek()
		p.i++
		var w float64
		if w, err = p.factor(); err != nil {
			break
		}
		if op == '*' {
			v *= w
		} else if w == 0 {
			return 0, fmt.Errorf("%q: %w", p.s, ErrDivisionByZero)
		} else {
			v /= w
		}
	}
	return v, err
}

func (p *parser) factor() (float64, error) {
	switch c := p.peek(); {
	case c == '(':
		p.i++
		v, err := p.sum() // recursion as deep as the nesting: no limit, on purpose
		if err == nil && p.peek() != ')' {
			err = &SyntaxError{Offset: p.i, Want: "')'"}
		}
		p.i++
		return v, err
	case c == '-':
		p.i++
		v, err := p.factor()
		return -v, err
	case c >= '0' && c <= '9' || c == '.':
		start := p.i
		for p.i < len(p.s) && (p.s[p.i] >= '0' && p.s[p.i] <= '9' || p.s[p.i] == '.') {
			p.i++
		}
		return strconv.ParseFloat(p.s[start:p.i], 64)
	}
	return 0, &SyntaxError{Offset: p.i, Want: "a number or '('"}
}
