package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// genNow is the moment the generated share is rolled up.
var genNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// written is what the generator knows of one result it wrote, read back
// from the JSON it wrote with a generic decoder: the independent side of the
// tests' comparison.
type written struct {
	name      string
	scannedAt time.Time
	outcome   string
	statuses  map[string]string // check ID -> status
	standards map[int]string    // number -> outcome
	file      string
}

// share is a generated results share and what a correct roll-up says of it.
type share struct {
	dirs       []string
	newest     map[string]*written // by lower-case host name
	results    int
	skipped    map[string]string // file base name -> part of the reason
	superseded int
	history    int             // results in history/, read only recursively
	sharedName map[string]bool // hosts whose name another machine's result carries
}

var (
	baseOnce    sync.Once
	baseReports []*report.Report
	baseErr     error
)

// profileReports judges every machine profile in testdata once.
func profileReports(t testing.TB) []*report.Report {
	t.Helper()
	baseOnce.Do(func() {
		data, err := standards.Load()
		if err != nil {
			baseErr = err
			return
		}
		paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "profiles", "*.json"))
		for _, p := range paths {
			rep, err := judge(p, data)
			if err != nil {
				baseErr = fmt.Errorf("%s: %v", p, err)
				return
			}
			baseReports = append(baseReports, rep)
		}
	})
	if baseErr != nil {
		t.Fatal(baseErr)
	}
	if len(baseReports) < 10 {
		t.Fatalf("only %d machine profiles found", len(baseReports))
	}
	return baseReports
}

var (
	jsonOnce     sync.Once
	profileDocs  [][]byte
	profileDocsE error
)

// profileJSON is every profile's report as JSON, marshalled once.
func profileJSON(t testing.TB) [][]byte {
	t.Helper()
	reps := profileReports(t)
	jsonOnce.Do(func() {
		for _, rep := range reps {
			b, err := json.Marshal(rep)
			if err != nil {
				profileDocsE = err
				return
			}
			profileDocs = append(profileDocs, b)
		}
	})
	if profileDocsE != nil {
		t.Fatal(profileDocsE)
	}
	return profileDocs
}

func judge(path string, data *standards.Data) (*report.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	snap, err := probe.ReadSnapshot(f)
	if err != nil {
		return nil, err
	}
	scan, err := checks.Run(context.Background(), probe.NewReplay(snap), checks.Options{
		Checks: checks.All(), Data: data, Clock: func() time.Time { return snap.CollectedAt },
	})
	if err != nil {
		return nil, err
	}
	return report.Build(scan, data, report.Tool{Name: "dspt-audit", Version: "test"}, "snapshot"), nil
}

// olderVersionResults are results written by the first version of the
// tool (testdata/fleet/README.md), as generic JSON.
func olderVersionResults(t testing.TB) []map[string]any {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "fleet", "first-release-*.json"))
	if len(paths) == 0 {
		t.Fatal("no results from an older version in testdata/fleet")
	}
	var out []map[string]any
	for _, p := range paths {
		var m map[string]any
		b, err := os.ReadFile(p)
		if err == nil {
			err = json.Unmarshal(b, &m)
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// generateShare writes n hosts' results into dir (the share) and dir2 (a
// second share), with older copies, duplicates, results from the first
// version of the tool, and files that are not results at all.
func generateShare(t testing.TB, dir string, n int) *share {
	t.Helper()
	var bases []map[string]any
	for _, doc := range profileJSON(t) {
		var m map[string]any
		if err := json.Unmarshal(doc, &m); err != nil {
			t.Fatal(err)
		}
		bases = append(bases, m)
	}
	olds := olderVersionResults(t)
	dir2 := filepath.Join(dir, "second-site")
	sh := &share{dirs: []string{dir, dir2}, newest: map[string]*written{}, skipped: map[string]string{}, sharedName: map[string]bool{}}
	for _, d := range []string{dir, dir2, filepath.Join(dir, "history")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		name := fmt.Sprintf("PC-%05d", i)
		// Ages 0 to 9 days and some hours: ages 8 and 9 are stale at 7 days.
		at := genNow.Add(-time.Duration(i%10)*24*time.Hour - time.Duration(i%5)*time.Hour)
		var doc map[string]any
		if i%17 == 0 {
			doc = clone(olds[i%len(olds)])
		} else {
			doc = clone(bases[i%len(bases)])
		}
		sh.write(t, filepath.Join(dir, name+".json"), doc, name, fmt.Sprintf("id-%d", i), at)
		switch {
		case i%7 == 0: // an older copy in history/, which a recursive read sees
			old := clone(bases[(i+3)%len(bases)])
			sh.write(t, filepath.Join(dir, "history", name+"-old.json"), old, name, fmt.Sprintf("id-%d", i), at.Add(-24*time.Hour))
			sh.history++
		case i%11 == 0: // a newer result in the second share, under a lower-case name
			newer := clone(bases[(i+5)%len(bases)])
			sh.write(t, filepath.Join(dir2, name+".json"), newer, strings.ToLower(name), fmt.Sprintf("id-%d", i), at.Add(time.Hour))
		case i%13 == 0: // an older result from another PC with the same name
			other := clone(bases[(i+1)%len(bases)])
			sh.write(t, filepath.Join(dir2, name+"-clone.json"), other, name, fmt.Sprintf("clone-%d", i), at.Add(-2*time.Hour))
			sh.sharedName[strings.ToLower(name)] = true
		}
	}
	sh.junk(t, dir, profileReports(t)[0])
	return sh
}

// write saves one result with its identity and time replaced, and records
// what the roll-up must make of it.
func (sh *share) write(t testing.TB, path string, doc map[string]any, name, id string, at time.Time) {
	t.Helper()
	host := doc["host"].(map[string]any)
	host["name"], host["id"] = name, id
	doc["scanned_at"], doc["judged_at"] = at.Format(time.RFC3339), at.Format(time.RFC3339)
	writeJSON(t, path, doc)
	w := &written{name: name, scannedAt: at, outcome: doc["outcome"].(string), statuses: map[string]string{}, standards: map[int]string{}, file: path}
	for _, r := range doc["results"].([]any) {
		r := r.(map[string]any)
		w.statuses[r["id"].(string)] = r["status"].(string)
	}
	for _, s := range doc["standards"].([]any) {
		s := s.(map[string]any)
		w.standards[int(s["number"].(float64))] = s["outcome"].(string)
	}
	sh.results++
	key := strings.ToLower(name)
	if old, ok := sh.newest[key]; ok {
		sh.superseded++
		if !at.After(old.scannedAt) {
			return
		}
	}
	sh.newest[key] = w
}

// junk plants files that are not results: each must be skipped, with its
// reason, and none may stop the roll-up.
func (sh *share) junk(t testing.TB, dir string, base *report.Report) {
	t.Helper()
	full, err := json.Marshal(base)
	if err != nil {
		t.Fatal(err)
	}
	snapshot, err := os.ReadFile(filepath.Join("..", "..", "testdata", "profiles", "debian-12-nftables.json"))
	if err != nil {
		t.Fatal(err)
	}
	future := toMap(t, base)
	future["schema_version"] = 2
	noHost := toMap(t, base)
	noHost["host"].(map[string]any)["name"] = " "
	files := []struct {
		name, content, reason string
	}{
		{"truncated.json", string(full[:len(full)/2]), "cut short"},
		{"empty.json", "", "empty file"},
		{"binary.json", "\x00\x01PK\x03\x04garbage", "not JSON"},
		{"other-tool.json", `{"scanner":"someone else","results":[]}`, "not a dspt-audit scan result"},
		{"snapshot.json", string(snapshot), "a snapshot"},
		{"future.json", string(mustJSON(t, future)), "newer dspt-audit"},
		{"no-host.json", string(mustJSON(t, noHost)), "no host name"},
		{"rollup.json", `{"kind":"` + Kind + `","schema_version":1}`, "a roll-up"},
		{"notes.txt", "remember to check the server", "not a .json file"},
		{"wrong-status.json", strings.Replace(string(full), `"status":"pass"`, `"status":"passed"`, 1), "unknown status"},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), []byte(f.content), 0o644); err != nil {
			t.Fatal(err)
		}
		sh.skipped[f.name] = f.reason
	}
	// A write in progress: hidden, ignored, not listed.
	if err := os.WriteFile(filepath.Join(dir, ".PC-00001.json.tmp-123"), full[:100], 0o644); err != nil {
		t.Fatal(err)
	}
}

func toMap(t testing.TB, rep *report.Report) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(mustJSON(t, rep), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// clone copies what write changes (the top level and the host), sharing
// the rest, which is only read.
func clone(m map[string]any) map[string]any {
	out := maps.Clone(m)
	out["host"] = maps.Clone(m["host"].(map[string]any))
	return out
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeJSON(t testing.TB, path string, v any) {
	t.Helper()
	writeFile(t, path, mustJSON(t, v))
}
