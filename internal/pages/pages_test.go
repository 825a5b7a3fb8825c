package pages

import (
	"io"
	"net/http"
	"testing"
	"time"
)

func TestServesPagesOfKnownSize(t *testing.T) {
	srv, err := Start(Default, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for i, u := range srv.URLs(Default) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || int(n) != Default[i].Size {
			t.Errorf("%s: status %d, %d bytes; want %d", u, resp.StatusCode, n, Default[i].Size)
		}
	}
}

func TestDelayEndsWithTheRequest(t *testing.T) {
	srv, err := Start([]Page{{"/slow", 10}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 50 * time.Millisecond}
	if _, err := client.Get(srv.URLs([]Page{{"/slow", 10}})[0]); err == nil {
		t.Error("a page behind an hour's delay came back")
	}
	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the abandoned request's delay")
	}
}
