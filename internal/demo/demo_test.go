package demo

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/procpool/supervisor/worker"
)

func TestIsPrime(t *testing.T) {
	cases := []struct {
		n    uint64
		want bool
	}{
		{0, false}, {1, false}, {2, true}, {3, true}, {4, false}, {9, false}, {25, false}, {97, true},
		{112272535095293, true}, {1099726899285419, false},
		{math.MaxUint64, false},    // divisible by 3
		{1000003 * 1000003, false}, // a prime squared: the loop must reach the root
	}
	for _, c := range cases {
		got, err := IsPrime(context.Background(), c.n)
		if err != nil || got != c.want {
			t.Errorf("IsPrime(%d) = %v, %v; want %v", c.n, got, err, c.want)
		}
	}
}

func TestIsPrimeHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := IsPrime(ctx, 18446744073709551557); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want Canceled", err)
	}
}

func TestIsqrt(t *testing.T) {
	for _, n := range []uint64{0, 1, 2, 3, 4, 15, 16, 17, 1 << 52, 1<<52 + 1, math.MaxUint64, 4294967295 * 4294967295} {
		r := isqrt(n)
		if r*r > n || (r+1) <= n/(r+1) {
			t.Errorf("isqrt(%d) = %d", n, r)
		}
	}
}

func TestCheckInput(t *testing.T) {
	cases := []struct {
		task, input string
		ok          bool
	}{
		{"primes", "112272535095293", true},
		{"primes", "abc", false},
		{"primes", "-5", false},
		{"primes", "18446744073709551616", false},
		{"fetch", "http://example.com/", true},
		{"fetch", "ftp://example.com/", false},
		{"fetch", "example.com", false},
		{"sleep", "10ms", true},
		{"sleep", "-1s", false},
		{"exit", "256", false},
		{"leak", "0", false},
		{"spawn", "1.5", false},
		{"nope", "", false},
	}
	for _, c := range cases {
		err := CheckInput(c.task, c.input)
		if (err == nil) != c.ok {
			t.Errorf("CheckInput(%s, %q) = %v", c.task, c.input, err)
		}
		if err != nil && c.task != "nope" && !errors.Is(err, worker.ErrBadInput) {
			t.Errorf("CheckInput(%s, %q): %v does not wrap ErrBadInput", c.task, c.input, err)
		}
	}
}

func TestFetch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(strings.Repeat("x", 1234)))
	}))
	defer srv.Close()
	res, err := worker.Run(context.Background(), worker.Task{Name: "fetch", Input: []byte(srv.URL + "/page")})
	if err != nil || string(res.Output) != "'"+srv.URL+"/page' page is 1234 bytes" {
		t.Errorf("got %q, %v", res.Output, err)
	}
	_, err = worker.Run(context.Background(), worker.Task{Name: "fetch", Input: []byte(srv.URL + "/missing")})
	if err == nil || !strings.Contains(err.Error(), "generated an exception: HTTP 404") {
		t.Errorf("missing page: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer slow.Close()
	if _, err := worker.Run(ctx, worker.Task{Name: "fetch", Input: []byte(slow.URL)}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a deadline should end the request: %v", err)
	}
}

func TestEveryTaskIsDescribed(t *testing.T) {
	for _, d := range Tasks() {
		if d.Summary == "" || d.Args == "" {
			t.Errorf("task %s lacks a summary or an argument description", d.Name)
		}
		for _, in := range d.Defaults {
			if d.Check != nil && d.Check(in) != nil {
				t.Errorf("task %s rejects its own default %q", d.Name, in)
			}
		}
	}
}
