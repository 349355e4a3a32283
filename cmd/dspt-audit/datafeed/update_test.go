package datafeed

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// today is after the built-in lifecycle data's as_of, so that what an
// update converts from the same endoflife.date pages counts as newer.
var today = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

const testdata = "../../../testdata"

// sources serves Microsoft's CVRF API and endoflife.date's API v1 from the
// project's real (and, for months after the shared ones, edited) documents,
// with failures that a test can inject per path.
type sources struct {
	t      *testing.T
	mu     sync.Mutex
	fail   map[string]http.HandlerFunc
	hits   map[string]int
	months map[string]string // month ID -> gzip file under testdata/cvrf
}

func newSources(t *testing.T) *sources {
	return &sources{t: t, fail: map[string]http.HandlerFunc{}, hits: map[string]int{}, months: map[string]string{
		"2025-Nov": "cvrfDocument-2025-Nov.xml.gz",
		"2025-Dec": "cvrfDocument-2025-Dec.xml.gz",
		"2026-Jan": "cvrfDocument-2026-Jan.xml.gz",
		"2026-Mar": "cvrfDocument-2026-Mar.xml.gz",
		"2026-Oct": "cvrfDocument-2026-Oct-edited.xml.gz",
		"2026-Nov": "cvrfDocument-early-edited.xml.gz", // early release: no Windows update yet
	}}
}

func (s *sources) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	fail := s.fail[r.URL.Path]
	s.mu.Unlock()
	if fail != nil {
		fail(w, r)
		return
	}
	switch path := r.URL.Path; {
	case path == "/cvrf/v3.0/updates":
		s.list(w)
	case strings.HasPrefix(path, "/cvrf/v3.0/cvrf/"):
		file, ok := s.months[strings.TrimPrefix(path, "/cvrf/v3.0/cvrf/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		s.serveFile(w, filepath.Join(testdata, "cvrf", file), true)
	case strings.HasPrefix(path, "/api/v1/products/"):
		s.serveFile(w, filepath.Join(testdata, "endoflife", strings.TrimPrefix(path, "/api/v1/products/")+".json"), false)
	default:
		http.NotFound(w, r)
	}
}

func (s *sources) list(w http.ResponseWriter) {
	var entries []string
	for id := range s.months {
		entries = append(entries, fmt.Sprintf(`{"ID":%q,"Alias":%q,"DocumentTitle":"x","CurrentReleaseDate":"2026-11-10T08:00:00Z","CvrfUrl":"https://elsewhere.example/%s"}`, id, id, id))
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"@odata.context":"https://api.msrc.microsoft.com/cvrf/v3.0/$metadata#updates","value":[%s]}`, strings.Join(entries, ","))
}

func (s *sources) serveFile(w http.ResponseWriter, path string, gzipped bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		s.t.Errorf("fixture: %v", err)
		http.NotFound(w, nil)
		return
	}
	if gzipped {
		// Go's client asks for gzip and unpacks it for the caller.
		w.Header().Set("Content-Encoding", "gzip")
	}
	w.Write(b)
}

func (s *sources) failWith(path string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[path] = h
}

func (s *sources) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// fetcher is a Fetcher that never really waits between attempts.
func fetcher(env map[string]string) (*Fetcher, *[]time.Duration) {
	f := NewFetcher(func(k string) string { return env[k] }, "dspt-audit-test")
	var waits []time.Duration
	f.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	f.Timeout = 5 * time.Second
	return f, &waits
}

func options(base, dir string) Options {
	return Options{Dir: dir, MSRC: base + "/cvrf/v3.0/", EndOfLife: base + "/api/v1/", Now: today}
}

func TestUpdateInstallsNewMonthsAndLifecycles(t *testing.T) {
	src := newSources(t)
	srv := httptest.NewServer(src)
	defer srv.Close()
	dir := tempDir(t)
	f, _ := fetcher(nil)

	res, err := Update(context.Background(), f, options(srv.URL, dir))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Months, ",") != "2026-Oct" {
		t.Errorf("months added = %v, want 2026-Oct (2026-Nov is an early release)", res.Months)
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "2026-Nov holds no Windows cumulative update") {
		t.Errorf("notes do not say 2026-Nov was an early release: %q", res.Notes)
	}
	for _, old := range []string{"2025-Nov", "2025-Dec", "2026-Jan", "2026-Mar"} {
		if n := src.count("/cvrf/v3.0/cvrf/" + old); n != 0 {
			t.Errorf("%s fetched %d times: the data already holds it", old, n)
		}
	}
	for _, kind := range []string{"windows-updates", "windows-releases", "linux-releases", "eol-software"} {
		if _, err := os.Stat(filepath.Join(dir, kind+".json")); err != nil {
			t.Errorf("%s not installed: %v", kind, err)
		}
	}

	d, err := standards.LoadFrom(standards.Sources{Dir: dir, Now: today})
	if err != nil {
		t.Fatal(err)
	}
	if d.WindowsUpdates.File == "" || d.WindowsUpdates.AsOf.String() != "2026-11-03" {
		t.Errorf("windows-updates from the folder: %+v", d.WindowsUpdates.Provenance)
	}
	series, _ := d.WindowsUpdates.SeriesFor(26100, standards.ChannelClient)
	if u := series.Updates[len(series.Updates)-1]; u.UBR != 10037 || u.KB != "KB5139473" || u.Date.String() != "2026-10-13" {
		t.Errorf("newest 26100 update = %+v, want the edited October document's 26100.10037 KB5139473", u)
	}
	if len(d.Notes) != 0 {
		t.Errorf("the folder's files were not all used: %v", d.Notes)
	}
	if LastUpdate(dir).IsZero() {
		t.Error("the update was not recorded")
	}

	// A second update finds nothing new and fetches only what may have changed.
	res, err = Update(context.Background(), f, options(srv.URL, dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Months) != 0 {
		t.Errorf("second update added %v", res.Months)
	}
	if n := src.count("/cvrf/v3.0/cvrf/2026-Oct"); n != 1 {
		t.Errorf("2026-Oct fetched %d times, want once: it was not revised", n)
	}
}

// digest is every file of dir and its SHA-256.
func digest(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = sha256.Sum256(b)
	}
	return out
}

// A failed download changes nothing: every file of the folder stays byte
// for byte, and the error names the address and what was wrong.
func TestFailedUpdateChangesNothing(t *testing.T) {
	oct := "/cvrf/v3.0/cvrf/2026-Oct"
	tests := []struct {
		name, path, want string
		handler          http.HandlerFunc
	}{
		{"html error page", oct, "HTML page", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<!DOCTYPE html><html><head><title>Access denied</title></head><body>Proxy sign-in</body></html>")
		}},
		{"truncated document", oct, "truncated", func(w http.ResponseWriter, _ *http.Request) {
			b := gunzip(t, filepath.Join(testdata, "cvrf", "cvrfDocument-2026-Oct-edited.xml.gz"))
			w.Write(b[:len(b)/2])
		}},
		{"cut short against its length", oct, "cut short", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "100000")
			w.Write([]byte(`<?xml version="1.0"?><cvrf:cvrfdoc>`))
		}},
		{"server error", oct, "500", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "down", http.StatusInternalServerError)
		}},
		{"not found", "/api/v1/products/windows", "404", http.NotFound},
		{"foreign JSON", "/api/v1/products/ubuntu", "ubuntu", func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, `{"schema_version":"9.0.0","result":{"name":"ubuntu","releases":[]}}`)
		}},
		{"list is not JSON", "/cvrf/v3.0/updates", "not the API's JSON", func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, `{"value": [`)
		}},
	}
	// One earlier update, copied for each case: every case starts from the
	// same folder, served by the same sources with its one failure.
	src := newSources(t)
	srv := httptest.NewServer(src)
	defer srv.Close()
	installed := installedFolder(t, src, srv.URL)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tempDir(t)
			if err := os.CopyFS(dir, os.DirFS(installed)); err != nil {
				t.Fatal(err)
			}
			before := digest(t, dir)
			if fmt.Sprint(before) != fmt.Sprint(digest(t, installed)) {
				t.Fatal("the copy of the installed folder differs from it")
			}

			src.failWith(tt.path, tt.handler)
			defer src.failWith(tt.path, nil)
			delete(src.months, "2026-Oct") // the earlier update's record must not stop a re-fetch
			src.months["2026-Oct"] = "cvrfDocument-2026-Oct-edited.xml.gz"
			f, _ := fetcher(nil)
			_, err := Update(context.Background(), f, options(srv.URL, dir))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if after := digest(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("the data folder changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// installedFolder is a data folder holding an earlier update (lifecycles
// only), so that a failing update has something to leave alone.
func installedFolder(t *testing.T, src *sources, base string) string {
	t.Helper()
	dir := tempDir(t)
	saved := src.months["2026-Oct"]
	delete(src.months, "2026-Oct")
	defer func() { src.months["2026-Oct"] = saved }()
	f, _ := fetcher(nil)
	if _, err := Update(context.Background(), f, options(base, dir)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "linux-releases.json")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	b, err := readDocument(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRetriesRateLimitsAndServerErrors(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls++
		switch calls {
		case 1:
			w.Header().Set("Retry-After", "7")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		case 2:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		default:
			fmt.Fprint(w, `{"ok":true}`)
		}
	}))
	defer srv.Close()
	f, waits := fetcher(nil)
	b, err := f.Get(context.Background(), srv.URL, "application/json")
	if err != nil || string(b) != `{"ok":true}` {
		t.Fatalf("Get = %q, %v", b, err)
	}
	if fmt.Sprint(*waits) != "[7s 2s]" {
		t.Errorf("waited %v, want Retry-After's 7s then the 2s back-off", *waits)
	}

	limited := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
		http.Error(w, "slow down", http.StatusTooManyRequests)
	}))
	defer limited.Close()
	f, _ = fetcher(nil)
	f.MaxWait = 5 * time.Second
	if _, err := f.Get(context.Background(), limited.URL, "application/json"); err == nil || !strings.Contains(err.Error(), "longer than 5s") {
		t.Errorf("a Retry-After beyond the cap: %v", err)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	f, _ := fetcher(nil)
	f.Timeout, f.Attempts = 100*time.Millisecond, 2
	_, err := f.Get(context.Background(), srv.URL+"/slow", "application/json")
	if err == nil || !strings.Contains(err.Error(), "no answer within 100ms") || !strings.Contains(err.Error(), "/slow") {
		t.Errorf("error %v, want a timeout naming the URL", err)
	}
}

// The proxy comes from the environment given, and NO_PROXY is honoured.
func TestProxyFromEnvironment(t *testing.T) {
	src := newSources(t)
	var proxied []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied = append(proxied, r.URL.String())
		src.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	f, _ := fetcher(map[string]string{"HTTP_PROXY": proxy.URL, "no_proxy": "endoflife.test"})
	dir := tempDir(t)
	o := Options{Dir: dir, MSRC: "http://msrc.test/cvrf/v3.0/", EndOfLife: "http://endoflife.test/api/v1/", Now: today}
	_, err := Update(context.Background(), f, o)
	if err == nil || !strings.Contains(err.Error(), "endoflife.test") {
		t.Fatalf("error %v: endoflife.test is in NO_PROXY, so it must be asked directly (and does not exist)", err)
	}
	if len(proxied) == 0 || !strings.HasPrefix(proxied[0], "http://msrc.test/cvrf/v3.0/updates") {
		t.Errorf("requests through the proxy: %v", proxied)
	}
	for _, p := range proxied {
		if u, _ := url.Parse(p); u.Host != "msrc.test" {
			t.Errorf("%s went through the proxy", p)
		}
	}
}

// The document list's addresses are never followed: a month's address is
// built from its ID, and an ID that is not a month is ignored.
func TestMonthListIsNotTrusted(t *testing.T) {
	months, err := parseMonthList([]byte(`{"value":[
		{"ID":"2026-Nov","CurrentReleaseDate":"2026-11-10T08:00:00Z","CvrfUrl":"https://evil.example/x"},
		{"ID":"../../etc/passwd","CurrentReleaseDate":"2026-11-10T08:00:00Z"},
		{"ID":"2026-Oct","CurrentReleaseDate":"2026-10-14T08:00:00Z"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(months) != 2 || months[0].ID != "2026-Oct" || months[1].ID != "2026-Nov" {
		t.Errorf("months = %+v", months)
	}
	for _, bad := range []string{`{"value":[]}`, `<html>`, `{"value":[{"ID":"Early 2026"}]}`} {
		if _, err := parseMonthList([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestDataFolderMustNotBeTheResultsFolder(t *testing.T) {
	dir := tempDir(t)
	if err := os.WriteFile(filepath.Join(dir, "GP-RECEPTION-01.json"), []byte(`{"schema_version":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckDir(dir); err == nil || !strings.Contains(err.Error(), "GP-RECEPTION-01.json") {
		t.Errorf("CheckDir = %v", err)
	}
	f, _ := fetcher(nil)
	if _, err := Update(context.Background(), f, options("http://unused.test", dir)); err == nil {
		t.Error("Update wrote into a results folder")
	}
	empty := tempDir(t)
	if err := os.Mkdir(filepath.Join(empty, "history"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CheckDir(empty); err == nil {
		t.Error("a folder with history/ passed")
	}
	if err := CheckDir(filepath.Join(tempDir(t), "new")); err != nil {
		t.Errorf("a folder not made yet: %v", err)
	}
}

// The data folder's checks folder holds the custom checks IT keeps with
// the data: it does not make the folder look like a results folder.
func TestDataFolderMayHoldItsChecksFolder(t *testing.T) {
	dir := tempDir(t)
	if err := os.Mkdir(filepath.Join(dir, ChecksFolder), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CheckDir(dir); err != nil {
		t.Errorf("a data folder with its checks folder: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "checks.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckDir(dir); err == nil {
		t.Error("a file named checks.json passed")
	}
}

// tempDir is t.TempDir emptied by removeTree first, which Wine 8 needs.
func tempDir(t *testing.T) string {
	dir := t.TempDir()
	t.Cleanup(func() { removeTree(dir) })
	return dir
}
