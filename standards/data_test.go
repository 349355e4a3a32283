package standards

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(tempDir(t), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadOverride(t *testing.T) {
	newer := writeFile(t, "updates.json", `{"kind":"windows-updates","as_of":"2026-12-01","source":"test",
		"series":[{"id":"26100","name":"x","builds":[26100],"channels":["client"],
		"updates":[{"date":"2026-11-10","ubr":9999,"kb":"KB9999999"}]}]}`)
	d, err := Load(newer)
	if err != nil {
		t.Fatal(err)
	}
	if d.WindowsUpdates.File != newer || d.WindowsUpdates.AsOf.String() != "2026-12-01" {
		t.Errorf("override not used: %+v", d.WindowsUpdates.Provenance)
	}
	s, ok := d.WindowsUpdates.SeriesFor(26100, ChannelClient)
	if !ok || s.Updates[0].KB != "KB9999999" {
		t.Errorf("series = %+v", s)
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"older", `{"kind":"windows-updates","as_of":"2020-01-01","source":"x","series":[{"id":"a","builds":[1],"channels":["client"],"updates":[{"date":"2020-01-01","ubr":1,"kb":"KB1"}]}]}`, "older than the built-in"},
		{"not json", `{"kind":`, "not valid JSON"},
		{"no kind", `{"as_of":"2027-01-01"}`, `no "kind"`},
		{"unknown kind", `{"kind":"recipes","as_of":"2027-01-01"}`, `kind "recipes"`},
		{"unknown field", `{"kind":"linux-releases","as_of":"2027-01-01","source":"x","releases":[],"colour":1}`, "unknown field"},
		{"bad date", `{"kind":"linux-releases","as_of":"01/01/2027"}`, "2006-01-02"},
		{"out of order", `{"kind":"windows-updates","as_of":"2027-01-01","source":"x","series":[{"id":"a","builds":[1],"channels":["client"],"updates":[{"date":"2026-02-01","ubr":5,"kb":"KB2"},{"date":"2026-01-01","ubr":4,"kb":"KB1"}]}]}`, "ascending"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeFile(t, "data.json", tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load: error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := Load(filepath.Join(tempDir(t), "missing.json")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}
