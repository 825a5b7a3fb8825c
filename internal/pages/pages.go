// Package pages serves the fetch demo's pages on loopback: a few pages of
// known size behind a configurable delay, so that I/O-bound concurrency is
// visible without the internet. It stands in for the news sites of the
// seed's ThreadPoolExecutor example.
package pages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// A Page is one path the server answers and the size of its body.
type Page struct {
	Path string
	Size int
}

// Default mirrors the seed's four real sites with pages of different sizes.
var Default = []Page{
	{"/foxnews", 312_000},
	{"/cnn", 1_130_000},
	{"/wsj", 92_000},
	{"/bbc", 287_000},
}

// A Server is a running page server.
type Server struct {
	srv  *http.Server
	base string
	done chan struct{}
}

// Start serves pages on 127.0.0.1 at a free port. Every response waits for
// delay first (or until the request is cancelled).
func Start(pages []Page, delay time.Duration) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start page server: %w", err)
	}
	mux := http.NewServeMux()
	for _, p := range pages {
		mux.Handle(p.Path, delayed(delay, body(p.Size)))
	}
	s := &Server{
		srv:  &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		base: "http://" + ln.Addr().String(),
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic("pages: " + err.Error()) // Serve fails only on a broken listener
		}
	}()
	return s, nil
}

// URLs returns the full URL of each page, in order.
func (s *Server) URLs(pages []Page) []string {
	out := make([]string, len(pages))
	for i, p := range pages {
		out[i] = s.base + p.Path
	}
	return out
}

// Close stops the server and waits for it.
func (s *Server) Close() error {
	err := s.srv.Shutdown(context.Background())
	<-s.done
	return err
}

func body(size int) []byte {
	line := []byte("<p>All the news that fits in a process pool.</p>\n")
	return bytes.Repeat(line, size/len(line)+1)[:size]
}

func delayed(delay time.Duration, page []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
}
