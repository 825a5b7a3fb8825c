package demo

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// MadeUpURL is the seed's unreachable host, moved to the .invalid top-level
// domain that RFC 2606 reserves, so the lookup fails everywhere.
const MadeUpURL = "http://some-made-up-domain.invalid/"

// DefaultFetchTimeout is the seed's load_url timeout, used when the task's
// context has no deadline of its own.
const DefaultFetchTimeout = 60 * time.Second

func init() {
	register(Task{
		Name:    "fetch",
		Args:    "URL... (http or https; default: pages from a built-in loopback server and one made-up host)",
		Summary: "HTTP GET, reporting the page size or the error, like the seed's load_url; I/O-bound",
		Check:   checkURL,
		Run:     fetch,
	})
}

// fetchClient has no timeout of its own: the per-request timeout is the
// task's deadline, so it is the same in both modes and cancellation works.
var fetchClient = &http.Client{Transport: &http.Transport{
	Proxy:               nil, // the demo server is on loopback; never route it through a proxy
	MaxIdleConnsPerHost: 64,
}}

func checkURL(input string) error {
	u, err := url.Parse(input)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return badInput("fetch", input, "want an http:// or https:// URL with a host")
	}
	return nil
}

func fetch(ctx context.Context, input []byte) ([]byte, error) {
	target := string(input)
	if err := checkURL(target); err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultFetchTimeout)
		defer cancel()
	}
	n, err := load(ctx, target)
	if err != nil {
		return nil, fmt.Errorf("'%s' generated an exception: %w", target, err)
	}
	return fmt.Appendf(nil, "'%s' page is %d bytes", target, n), nil
}

// load reads the whole page, as the seed's conn.read() does, and returns its
// size.
func load(ctx context.Context, target string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, err
	}
	resp, err := fetchClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("HTTP %s", resp.Status)
	}
	return io.Copy(io.Discard, resp.Body)
}
