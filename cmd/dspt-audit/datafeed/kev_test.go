package datafeed

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// kevSources serves the KEV catalogue and the CVRF API's "which month
// holds this CVE" answers in front of the other sources. The months come
// from the real documents: the three CVEs the edited catalogue adds.
type kevSources struct {
	*sources
	catalog string // file under testdata/kev
	mu      sync.Mutex
	lookups int
}

var cveMonths = map[string]string{"CVE-2025-62215": "2025-Nov", "CVE-2025-62221": "2025-Dec", "CVE-2026-20805": "2026-Jan"}

func (s *kevSources) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.sources.mu.Lock()
	failing := s.fail[r.URL.Path] != nil
	s.sources.mu.Unlock()
	switch path := r.URL.Path; {
	case failing:
		s.sources.ServeHTTP(w, r)
	case path == "/kev.json":
		s.serveFile(w, filepath.Join(testdata, "kev", s.catalog), true)
	case strings.HasPrefix(path, "/cvrf/v3.0/updates('CVE-"):
		s.mu.Lock()
		s.lookups++
		s.mu.Unlock()
		cve := strings.TrimSuffix(strings.TrimPrefix(path, "/cvrf/v3.0/updates('"), "')")
		month, ok := cveMonths[cve]
		if !ok {
			fmt.Fprint(w, `{"value":[]}`)
			return
		}
		fmt.Fprintf(w, `{"value":[{"ID":%q,"CurrentReleaseDate":"2026-01-20T08:00:00Z"}]}`, month)
	default:
		s.sources.ServeHTTP(w, r)
	}
}

func (s *kevSources) lookupCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookups
}

func TestUpdateBuildsWindowsKEV(t *testing.T) {
	src := &kevSources{sources: newSources(t), catalog: "kev-edited.json.gz"}
	srv := httptest.NewServer(src)
	defer srv.Close()
	dir := tempDir(t)
	f, _ := fetcher(nil)
	o := options(srv.URL, dir)
	o.KEV = srv.URL + "/kev.json"

	if _, err := Update(context.Background(), f, o); err != nil {
		t.Fatal(err)
	}
	d, err := standards.LoadFrom(standards.Sources{Dir: dir, Now: today})
	if err != nil {
		t.Fatal(err)
	}
	if d.KEV.File == "" || d.KEV.Catalog != "2026.11.24-edited" {
		t.Fatalf("windows-kev not installed from the folder: %+v", d.KEV.Provenance)
	}
	for cve, month := range cveMonths {
		k, ok := d.KEV.Flaw(cve)
		if !ok || k.Month != month || len(k.Fixes) == 0 {
			t.Errorf("%s: %+v, want fixes from %s", cve, k, month)
		}
	}
	if k, _ := d.KEV.Flaw("CVE-2025-62215"); len(k.Fixes) > 0 {
		x, _ := k.FixFor(standards.WindowsVersion{CurrentBuild: 26100, EditionID: "Enterprise"})
		if x.UBR != 7171 || x.KB != "KB5068861" {
			t.Errorf("CVE-2025-62215 on 26100: %+v, want .7171 KB5068861", x)
		}
	}
	if n := src.lookupCount(); n != maxCVELookups {
		t.Errorf("%d CVE lookups, want the bound %d (the catalogue has more Windows entries the data cannot judge)", n, maxCVELookups)
	}
	for _, m := range []string{"2025-Nov", "2025-Dec", "2026-Jan"} {
		if n := src.count("/cvrf/v3.0/cvrf/" + m); n != 1 {
			t.Errorf("%s fetched %d times, want once for its exploited flaw", m, n)
		}
	}
	state, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil || !strings.Contains(string(state), `"CVE-2025-62215": "2025-Nov"`) {
		t.Errorf("the feed state does not remember the months looked up: %s %v", state, err)
	}

	// The second update asks only about CVEs not looked up before, and
	// does not fetch the months again: the installed data holds them.
	if _, err := Update(context.Background(), f, o); err != nil {
		t.Fatal(err)
	}
	if n := src.lookupCount(); n != 2*maxCVELookups {
		t.Errorf("%d lookups after two updates, want %d: none repeated", n, 2*maxCVELookups)
	}
	if n := src.count("/cvrf/v3.0/cvrf/2025-Nov"); n != 1 {
		t.Errorf("2025-Nov fetched %d times after two updates, want once", n)
	}
	again, _ := standards.LoadFrom(standards.Sources{Dir: dir, Now: today})
	if k, _ := again.KEV.Flaw("CVE-2025-62215"); k.Month != "2025-Nov" {
		t.Errorf("the second update lost CVE-2025-62215's fix month: %+v", k)
	}
}

func TestFailedKEVFetchChangesNothing(t *testing.T) {
	src := &kevSources{sources: newSources(t), catalog: "kev-edited.json.gz"}
	src.failWith("/kev.json", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"catalogVersion":"x","vulnerabilities":[{"cveID":"nope"}]}`)
	})
	srv := httptest.NewServer(src)
	defer srv.Close()
	dir := tempDir(t)
	f, _ := fetcher(nil)
	o := options(srv.URL, dir)
	o.KEV = srv.URL + "/kev.json"
	_, err := Update(context.Background(), f, o)
	if err == nil || !strings.Contains(err.Error(), "/kev.json") {
		t.Fatalf("err = %v, want one naming the catalogue's address", err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(files) != 0 {
		t.Errorf("a failed update installed %v", files)
	}
}

func TestImportSavedKEV(t *testing.T) {
	dir := tempDir(t)
	kev := filepath.Join(dir, "known_exploited_vulnerabilities.json")
	if err := os.WriteFile(kev, gunzip(t, filepath.Join(testdata, "kev", "kev-edited.json.gz")), 0o644); err != nil {
		t.Fatal(err)
	}
	base, err := standards.Load()
	if err != nil {
		t.Fatal(err)
	}
	jan := filepath.Join(testdata, "cvrf", "cvrfDocument-2026-Jan.xml.gz")
	imp, err := Import([]string{kev, jan}, base, today)
	if err != nil {
		t.Fatal(err)
	}
	b, ok := imp.Bodies["windows-kev"]
	if !ok {
		t.Fatalf("no windows-kev body from %v", imp.Bodies)
	}
	v, err := standards.DecodeDataFile(b)
	if err != nil {
		t.Fatal(err)
	}
	f := v.(*standards.KEVFile)
	if k, _ := f.Flaw("CVE-2026-20805"); k.Month != "2026-Jan" {
		t.Errorf("CVE-2026-20805 imported with the January document: %+v", k)
	}
	if k, _ := f.Flaw("CVE-2025-62215"); k.Judged() {
		t.Errorf("CVE-2025-62215 judged although its month was not imported: %+v", k)
	}
	if len(f.Months) != len(base.KEV.Months) {
		t.Errorf("months %v, want the built-in ones kept", f.Months)
	}
	if got := sniff(gunzip(t, filepath.Join(testdata, "kev", "known_exploited_vulnerabilities.json.gz"))); got != "kev" {
		t.Errorf("the real catalogue sniffs as %q", got)
	}
}
