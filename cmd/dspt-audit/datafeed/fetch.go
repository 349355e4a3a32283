// Package datafeed brings reference data from the sources that publish it
// (Microsoft's Security Update Guide CVRF API, endoflife.date) into a data
// folder: download, convert, check, and install atomically. It is the only
// part of dspt-audit that uses the network; a scan never does.
package datafeed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http/httpproxy"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// MaxDocumentSize bounds one download. A monthly CVRF document is about
// 10 MB of XML; an endoflife.date product well under 1 MB.
const MaxDocumentSize = 64 << 20

// Fetcher downloads documents politely: one request at a time, through the
// proxy the environment names, retrying rate limits and server errors.
type Fetcher struct {
	Client *http.Client
	// Timeout bounds each attempt, body included.
	Timeout time.Duration
	// Attempts is how many times a request is tried.
	Attempts int
	// MaxWait caps a server's Retry-After.
	MaxWait   time.Duration
	UserAgent string
	// Sleep waits between attempts; tests replace it.
	Sleep func(context.Context, time.Duration) error
}

// NewFetcher returns a fetcher whose proxy settings come from getenv
// (HTTPS_PROXY, HTTP_PROXY and NO_PROXY, either case), as curl and Go read
// them.
func NewFetcher(getenv func(string) string, userAgent string) *Fetcher {
	env := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return getenv(strings.ToLower(name))
	}
	proxy := (&httpproxy.Config{
		HTTPProxy:  env("HTTP_PROXY"),
		HTTPSProxy: env("HTTPS_PROXY"),
		NoProxy:    env("NO_PROXY"),
	}).ProxyFunc()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = func(r *http.Request) (*url.URL, error) { return proxy(r.URL) }
	return &Fetcher{
		Client:    &http.Client{Transport: transport},
		Timeout:   2 * time.Minute,
		Attempts:  4,
		MaxWait:   2 * time.Minute,
		UserAgent: userAgent,
		Sleep:     sleep,
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// FetchError is a download that failed: it names the URL and what was wrong.
type FetchError struct {
	URL string
	Err error
}

func (e *FetchError) Error() string { return fmt.Sprintf("%s: %v", e.URL, e.Err) }
func (e *FetchError) Unwrap() error { return e.Err }

// StatusError is an answer other than 200 that is not worth retrying.
type StatusError struct {
	Code   int
	Status string
}

func (e *StatusError) Error() string { return "HTTP " + e.Status }

// Get downloads one document, accepting only a complete 200 answer that is
// not an HTML page.
func (f *Fetcher) Get(ctx context.Context, rawURL, accept string) ([]byte, error) {
	var err error
	for attempt := 1; ; attempt++ {
		var b []byte
		var wait time.Duration
		b, wait, err = f.try(ctx, rawURL, accept)
		if err == nil {
			return b, nil
		}
		if wait < 0 || attempt >= f.Attempts || ctx.Err() != nil {
			break
		}
		if wait == 0 {
			wait = time.Duration(1<<(attempt-1)) * time.Second
		}
		if wait > f.MaxWait {
			err = fmt.Errorf("%w; the server asks to wait %s, longer than %s", err, wait.Round(time.Second), f.MaxWait)
			break
		}
		if serr := f.Sleep(ctx, wait); serr != nil {
			break
		}
	}
	return nil, &FetchError{URL: rawURL, Err: err}
}

// try makes one attempt. wait says what may follow a failure: negative,
// give up; zero, retry after the usual back-off; positive, retry after it.
func (f *Fetcher) try(ctx context.Context, rawURL, accept string) (body []byte, wait time.Duration, err error) {
	ctx, cancel := context.WithTimeout(ctx, f.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, -1, err
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", f.UserAgent)
	resp, err := f.Client.Do(req)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return nil, 0, fmt.Errorf("no answer within %s", f.Timeout)
		}
		return nil, 0, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return nil, retryAfter(resp.Header.Get("Retry-After"), time.Now()), fmt.Errorf("HTTP %s", resp.Status)
	case resp.StatusCode != http.StatusOK:
		return nil, -1, &StatusError{Code: resp.StatusCode, Status: resp.Status}
	case resp.ContentLength > MaxDocumentSize:
		return nil, -1, fmt.Errorf("the document is %d bytes, more than the %d MiB allowed", resp.ContentLength, MaxDocumentSize>>20)
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, MaxDocumentSize+1))
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return nil, 0, fmt.Errorf("the download did not finish within %s", f.Timeout)
	case err != nil:
		return nil, 0, fmt.Errorf("the download was cut short: %w", err)
	case len(body) > MaxDocumentSize:
		return nil, -1, fmt.Errorf("the document is more than the %d MiB allowed", MaxDocumentSize>>20)
	case standards.LooksLikeHTML(body):
		return nil, -1, errors.New("an HTML page came back instead of data (a proxy's sign-in or error page?)")
	}
	return body, 0, nil
}

// retryAfter reads Retry-After as seconds or an HTTP date; without one the
// caller backs off on its own.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return max(time.Duration(s)*time.Second, time.Millisecond)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), time.Millisecond)
	}
	return 0
}
