package standards

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// today is the day these tests judge data files on: files dated after it
// are from the future.
var today = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func TestLoadBuiltIn(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Provenances() {
		if p.AsOf.IsZero() || p.Source == "" || p.File != "" {
			t.Errorf("%s: as_of %q, source %q, file %q: built-in data needs a date and a source", p.Kind, p.AsOf, p.Source, p.File)
		}
	}
	if s, ok := d.Standard(8); !ok || s.Title != "Unsupported systems" {
		t.Errorf("standard 8 = %+v", s)
	}
	if len(d.Changes) != 0 || len(d.Notes) != 0 {
		t.Errorf("built-in data alone has changes %v, notes %v", d.Changes, d.Notes)
	}
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(tempDir(t), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// builtInJSON is a built-in data file as generic JSON, to edit in a test.
func builtInJSON(t *testing.T, kind string) map[string]any {
	t.Helper()
	b, err := embedded.ReadFile("data/" + kind + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func writeJSON(t *testing.T, dir, name string, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func loadAt(files ...string) (*Data, error) { return LoadFrom(Sources{Files: files, Now: today}) }

// jsonSeries finds a series in generic JSON.
func jsonSeries(t *testing.T, file map[string]any, id string) map[string]any {
	t.Helper()
	for _, s := range file["series"].([]any) {
		if s := s.(map[string]any); s["id"] == id {
			return s
		}
	}
	t.Fatalf("no series %s", id)
	return nil
}

func TestLoadOverrideAddsAMonth(t *testing.T) {
	f := builtInJSON(t, "windows-updates")
	f["as_of"] = "2026-10-20"
	s := jsonSeries(t, f, "26100")
	s["updates"] = append(s["updates"].([]any), map[string]any{"date": "2026-10-13", "ubr": 9999, "kb": "KB5099999"})
	file := writeJSON(t, tempDir(t), "windows-updates.json", f)

	d, err := loadAt(file)
	if err != nil {
		t.Fatal(err)
	}
	if d.WindowsUpdates.File != file || d.WindowsUpdates.AsOf.String() != "2026-10-20" {
		t.Errorf("override not used: %+v", d.WindowsUpdates.Provenance)
	}
	series, _ := d.WindowsUpdates.SeriesFor(26100, ChannelClient)
	if newest := series.Updates[len(series.Updates)-1]; newest.KB != "KB5099999" || newest.UBR != 9999 {
		t.Errorf("newest 26100 update = %+v", newest)
	}
	base, _ := Load()
	if got, want := len(series.Updates), len(mustSeries(t, base, 26100).Updates)+1; got != want {
		t.Errorf("%d updates in 26100, want %d", got, want)
	}
}

func mustSeries(t *testing.T, d *Data, build int) UpdateSeries {
	t.Helper()
	s, ok := d.WindowsUpdates.SeriesFor(build, ChannelClient)
	if !ok {
		t.Fatalf("no series for %d", build)
	}
	return s
}

// A stub file once decoded over the built-in tables and kept their builds
// under its own date; decoded fresh it lacks every series and is refused.
func TestStubFileIsRefused(t *testing.T) {
	tests := map[string]string{
		"from the future": `{"kind":"windows-updates","as_of":"2099-01-01","source":"x"}`,
		"no series":       `{"kind":"windows-updates","as_of":"2026-11-20","source":"x"}`,
		"empty series":    `{"kind":"windows-updates","as_of":"2026-11-20","source":"x","series":[]}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			d, err := loadAt(writeFile(t, "windows-updates.json", body))
			if err == nil {
				t.Fatalf("stub accepted: as of %s with %d series", d.WindowsUpdates.AsOf, len(d.WindowsUpdates.Series))
			}
		})
	}
}

// Series are keyed by id: listing them in another order changes nothing,
// and moving one series' updates to another is refused.
func TestSeriesAreKeyedNotPositional(t *testing.T) {
	base, _ := Load()
	f := builtInJSON(t, "windows-updates")
	f["as_of"] = "2026-11-20"
	slices.Reverse(f["series"].([]any))
	d, err := loadAt(writeJSON(t, tempDir(t), "windows-updates.json", f))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range base.WindowsUpdates.Series {
		got, ok := d.WindowsUpdates.SeriesFor(want.Builds[0], want.Channels[0])
		if !ok || got.ID != want.ID || !slices.Equal(got.Updates, want.Updates) {
			t.Errorf("series %s after reordering: %s with %d updates", want.ID, got.ID, len(got.Updates))
		}
	}

	swapped := builtInJSON(t, "windows-updates")
	swapped["as_of"] = "2026-11-20"
	a, b := jsonSeries(t, swapped, "19045"), jsonSeries(t, swapped, "26100")
	a["updates"], b["updates"] = b["updates"], a["updates"]
	_, err = loadAt(writeJSON(t, tempDir(t), "windows-updates.json", swapped))
	if err == nil || !strings.Contains(err.Error(), "only new months can be added") {
		t.Errorf("swapped updates: error %v, want a refusal", err)
	}
}

func TestChangedFactsAreNamed(t *testing.T) {
	f := builtInJSON(t, "linux-releases")
	f["as_of"] = "2026-11-27"
	for _, r := range f["releases"].([]any) {
		if r := r.(map[string]any); r["id"] == "almalinux" && r["version"] == "8" {
			r["end"] = "2029-12-31"
		}
	}
	file := writeJSON(t, tempDir(t), "linux-releases.json", f)
	d, err := loadAt(file)
	if err != nil {
		t.Fatal(err)
	}
	changes := d.ChangesTo("linux-releases", "almalinux 8")
	if len(changes) != 1 || changes[0].Field != "end" || changes[0].Value != "2029-12-31" || changes[0].BuiltIn == "" || changes[0].File != file {
		t.Fatalf("changes = %+v", d.Changes)
	}
	if s := changes[0].String(); !strings.Contains(s, "2029-12-31") || !strings.Contains(s, changes[0].BuiltIn) || !strings.Contains(s, file) {
		t.Errorf("change reads %q: it must name both values and the file", s)
	}
	if len(d.Changes) != 1 {
		t.Errorf("only one fact changed, got %v", d.Changes)
	}

	f["releases"] = f["releases"].([]any)[1:]
	if _, err := loadAt(writeJSON(t, tempDir(t), "linux-releases.json", f)); err == nil || !strings.Contains(err.Error(), "never drop one") {
		t.Errorf("dropped release: error %v", err)
	}
}

func TestDataFolder(t *testing.T) {
	dir := tempDir(t)
	updates := builtInJSON(t, "windows-updates")
	updates["as_of"] = "2026-11-20"
	writeJSON(t, dir, "windows-updates.json", updates)
	releases := builtInJSON(t, "linux-releases")
	releases["as_of"] = "2025-01-01"
	writeJSON(t, dir, "linux-releases.json", releases)
	if err := os.WriteFile(filepath.Join(dir, "eol-software.json"), []byte(`{"kind":"eol-software","as_of":"2026-1`), 0o644); err != nil {
		t.Fatal(err)
	}
	writeJSON(t, dir, "notes.json", map[string]any{"kind": "recipes"}) // not a KIND.json: never read

	d, err := LoadFrom(Sources{Dir: dir, Now: today})
	if err != nil {
		t.Fatal(err)
	}
	if d.WindowsUpdates.File != filepath.Join(dir, "windows-updates.json") {
		t.Errorf("newer windows-updates not used: %+v", d.WindowsUpdates.Provenance)
	}
	if d.LinuxReleases.File != "" || d.Software.File != "" {
		t.Errorf("older or broken files used: %+v, %+v", d.LinuxReleases.Provenance, d.Software.Provenance)
	}
	notes := strings.Join(d.Notes, "\n")
	if len(d.Notes) != 1 || !strings.Contains(notes, "eol-software.json not used") {
		t.Errorf("notes = %q", notes)
	}

	// A named file is the user's explicit wish: the same broken file is an error.
	if _, err := LoadFrom(Sources{Dir: dir, Files: []string{filepath.Join(dir, "eol-software.json")}, Now: today}); err == nil {
		t.Error("a broken --data file was accepted")
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"older", `{"kind":"windows-updates","as_of":"2020-01-01","source":"x","series":[{"id":"a","builds":[1],"channels":["client"],"updates":[{"date":"2020-01-01","ubr":1,"kb":"KB1000001"}]}]}`, "older than the built-in"},
		{"not json", `{"kind":`, "not valid JSON"},
		{"no kind", `{"as_of":"2027-01-01"}`, `no "kind"`},
		{"unknown kind", `{"kind":"recipes","as_of":"2026-01-01"}`, `kind "recipes"`},
		{"newer schema", `{"kind":"linux-releases","schema":2,"as_of":"2026-01-01"}`, "newer dspt-audit"},
		{"unknown field", `{"kind":"linux-releases","as_of":"2026-11-27","source":"x","releases":[],"colour":1}`, "unknown field"},
		{"no source", `{"kind":"linux-releases","as_of":"2026-11-27","releases":[]}`, `no "source"`},
		{"bad date", `{"kind":"linux-releases","as_of":"01/01/2027"}`, "is not of the form YYYY-MM-DD"},
		{"year 1200", `{"kind":"linux-releases","as_of":"1200-01-01"}`, "out of range"},
		{"two values", `{"kind":"linux-releases","as_of":"2026-11-27","source":"x","releases":[]} {}`, "not valid JSON"},
		{"out of order", `{"kind":"windows-updates","as_of":"2026-11-01","source":"x","series":[{"id":"a","builds":[1],"channels":["client"],"updates":[{"date":"2026-02-01","ubr":5,"kb":"KB1000002"},{"date":"2026-01-01","ubr":4,"kb":"KB1000001"}]}]}`, "ascending"},
		{"not a KB", `{"kind":"windows-updates","as_of":"2026-11-01","source":"x","series":[{"id":"a","builds":[1],"channels":["client"],"updates":[{"date":"2026-02-01","ubr":5,"kb":"=cmd|'/c calc'!A1"}]}]}`, "not a KB number"},
		{"update after as_of", `{"kind":"windows-updates","as_of":"2026-11-01","source":"x","series":[{"id":"a","builds":[1],"channels":["client"],"updates":[{"date":"2026-11-10","ubr":5,"kb":"KB1000002"}]}]}`, "after the file's as_of"},
		{"duplicate series", `{"kind":"windows-updates","as_of":"2026-11-01","source":"x","series":[{"id":"a","builds":[1],"channels":["client"],"updates":[{"date":"2026-01-01","ubr":5,"kb":"KB1000002"}]},{"id":"a","builds":[2],"channels":["client"],"updates":[{"date":"2026-01-01","ubr":5,"kb":"KB1000002"}]}]}`, "its own id"},
		{"escape sequence", `{"kind":"linux-releases","as_of":"2026-11-27","source":"x","releases":[{"id":"debian","version":"99","name":"Debian \u001b[2J","released":"2026-01-01","end":"2027-01-01"}]}`, "control character"},
		{"ends before release", `{"kind":"linux-releases","as_of":"2026-11-27","source":"x","releases":[{"id":"debian","version":"99","name":"D","released":"2026-01-01","end":"2025-01-01"}]}`, "before it was released"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadAt(writeFile(t, "data.json", tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load: error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := Load(filepath.Join(tempDir(t), "missing.json")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
	big := writeFile(t, "big.json", `{"kind":"linux-releases","as_of":"2026-11-27","source":"`+strings.Repeat("x", MaxDataFileSize)+`"}`)
	if _, err := loadAt(big); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("oversized file: %v", err)
	}
}
