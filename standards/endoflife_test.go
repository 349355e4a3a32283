package standards

import (
	"bytes"
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var updateBuiltIn = flag.Bool("update-builtin", false, "rewrite standards/data/{windows-releases,linux-releases,eol-software}.json from testdata/endoflife")

// builtInAsOf is the day the built-in lifecycle data is as of: the fixtures
// are the endoflife.date pages of 2026-08-22, judged as of this day.
var builtInAsOf = MustDate("2026-11-27")

func endOfLifeFixtures(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, p := range EndOfLifeProducts {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "endoflife", p+".json"))
		if err != nil {
			t.Fatal(err)
		}
		out[p] = b
	}
	return out
}

func convertFixtures(t *testing.T, base *Data, asOf Date) Lifecycle {
	t.Helper()
	lc, err := ConvertEndOfLife(endOfLifeFixtures(t), base, asOf)
	if err != nil {
		t.Fatal(err)
	}
	return lc
}

func TestUpdateBuiltIn(t *testing.T) {
	if !*updateBuiltIn {
		t.Skip("run with -update-builtin to rewrite the built-in lifecycle data")
	}
	base, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	lc := convertFixtures(t, base, builtInAsOf)
	files, err := lc.Files()
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join("data", name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range lc.Notes {
		t.Log(n)
	}
}

// The built-in lifecycle data is the converter's output for the fixtures:
// row by row, so the two cannot drift apart. Rows endoflife.date does not
// hold come from the base data and are named here.
func TestConverterReproducesBuiltIn(t *testing.T) {
	builtIn, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	lc := convertFixtures(t, builtIn, builtInAsOf)

	fromBase := map[string]bool{"Windows 11 26H2": true} // not on the 2026-08-22 page
	for i, r := range builtIn.WindowsReleases.Releases {
		if i >= len(lc.WindowsReleases.Releases) {
			t.Fatalf("converter has %d Windows releases, built-in %d", len(lc.WindowsReleases.Releases), len(builtIn.WindowsReleases.Releases))
		}
		if got := lc.WindowsReleases.Releases[i]; !reflect.DeepEqual(got, r) {
			t.Errorf("Windows release %d:\n got %+v\nwant %+v", i, got, r)
		}
	}
	if len(lc.WindowsReleases.Releases) != len(builtIn.WindowsReleases.Releases) {
		t.Errorf("converter has %d Windows releases, built-in %d", len(lc.WindowsReleases.Releases), len(builtIn.WindowsReleases.Releases))
	}
	if !reflect.DeepEqual(lc.WindowsReleases.ESU, builtIn.WindowsReleases.ESU) {
		t.Error("ESU programmes differ from the built-in data")
	}
	if !reflect.DeepEqual(lc.LinuxReleases.Releases, builtIn.LinuxReleases.Releases) {
		for i := range min(len(lc.LinuxReleases.Releases), len(builtIn.LinuxReleases.Releases)) {
			if g, w := lc.LinuxReleases.Releases[i], builtIn.LinuxReleases.Releases[i]; !reflect.DeepEqual(g, w) {
				t.Errorf("Linux release %d:\n got %+v\nwant %+v", i, g, w)
			}
		}
		t.Errorf("Linux releases differ from the built-in data (%d vs %d rows)", len(lc.LinuxReleases.Releases), len(builtIn.LinuxReleases.Releases))
	}
	if len(lc.Software.Products) != len(builtIn.Software.Products) {
		t.Errorf("converter has %d software products, built-in %d", len(lc.Software.Products), len(builtIn.Software.Products))
	}
	for i := range min(len(lc.Software.Products), len(builtIn.Software.Products)) {
		g, w := lc.Software.Products[i], builtIn.Software.Products[i]
		g.re, w.re = nil, nil
		if g != w {
			t.Errorf("software product %d:\n got %+v\nwant %+v", i, g, w)
		}
	}

	// Converting with no base at all must still give every endoflife.date
	// row: only the named rows may come from the base.
	bare := convertFixtures(t, &Data{}, builtInAsOf)
	for _, r := range builtIn.WindowsReleases.Releases {
		got, ok := bare.WindowsReleases.Release(WindowsVersion{CurrentBuild: r.Build, InstallationType: installationType(r.Channel), EditionID: ltscEdition(r.Channel)})
		if fromBase[r.Name()] {
			if ok && got.Channel == r.Channel {
				t.Errorf("%s is on endoflife.date after all; drop it from the named exceptions", r.Name())
			}
			continue
		}
		if !ok || got.Channel != r.Channel || !reflect.DeepEqual(got.End, r.End) || got.Released != r.Released {
			t.Errorf("%s: without base data got %+v, %v; want the end dates %v from endoflife.date", r.Name(), got, ok, r.End)
		}
	}
	if !reflect.DeepEqual(bare.LinuxReleases.Releases, builtIn.LinuxReleases.Releases) {
		t.Error("Linux releases depend on the base data; every row should come from endoflife.date")
	}
}

// The facts a user found wrong or missing when comparing with endoflife.date.
func TestBuiltInLifecycleCorrections(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if d.LinuxReleases.AsOf.Before(builtInAsOf.Time) || d.Software.AsOf.Before(builtInAsOf.Time) || d.WindowsReleases.AsOf.Before(builtInAsOf.Time) {
		t.Error("the lifecycle data's as_of was not bumped")
	}
	linux := []struct{ id, version, end string }{
		{"almalinux", "8", "2029-05-31"},
		{"ol", "7", "2024-12-31"},
		{"ol", "10", "2035-05-31"},
		{"centos", "10", "2030-05-31"},
		{"ubuntu", "22.10", "2023-07-20"},
		{"ubuntu", "23.04", "2024-01-20"},
		{"ubuntu", "23.10", "2024-07-12"},
		{"debian", "12", "2028-06-30"},
	}
	for _, tt := range linux {
		r, ok := d.LinuxReleases.Release(tt.id, tt.version)
		if !ok || r.End.String() != tt.end {
			t.Errorf("%s %s: end %s (found %v), want %s", tt.id, tt.version, r.End, ok, tt.end)
		}
	}
	windows := []struct {
		v      WindowsVersion
		family string
		end    string
	}{
		{WindowsVersion{CurrentBuild: 7601, EditionID: "Enterprise", InstallationType: "Client"}, Enterprise, "2020-01-14"},
		{WindowsVersion{CurrentBuild: 9600, EditionID: "Professional", InstallationType: "Client"}, HomePro, "2023-01-10"},
		{WindowsVersion{CurrentBuild: 6003, InstallationType: "Server"}, Server, "2020-01-14"},
		{WindowsVersion{CurrentBuild: 7601, InstallationType: "Server"}, Server, "2020-01-14"},
		{WindowsVersion{CurrentBuild: 9200, InstallationType: "Server"}, Server, "2023-10-10"},
		{WindowsVersion{CurrentBuild: 25398, InstallationType: "Server Core"}, Server, "2026-05-12"},
		{WindowsVersion{CurrentBuild: 19044, EditionID: "IoTEnterpriseS"}, IoT, "2032-01-13"},
	}
	for _, tt := range windows {
		r, ok := d.WindowsReleases.Release(tt.v)
		if !ok || r.End[tt.family].String() != tt.end {
			t.Errorf("build %d %s: %s ends %s (found %v), want %s", tt.v.CurrentBuild, tt.v.Channel(), r.Name(), r.End[tt.family], ok, tt.end)
		}
	}
}

// Browser floors follow the release lines the pages list: with the
// 2026-08-22 pages and as of 2026-11-27, every Chrome line listed (to 151,
// whose estimated eol was 2026-08-25) has ended, so Chrome and Edge below
// 152 are end of life; Firefox 115 ESR (to 2027-03-31), 153 ESR and 154 are
// supported, so Firefox below 115 and 116 to 152 are end of life. As of
// 2026-07-01 the lines still supported were Chrome 150 and 151, and Firefox
// 115 ESR, 140 ESR and 152 on (128 ESR had ended on 2025-09-16).
func TestBrowserFloors(t *testing.T) {
	type row struct {
		product     string
		from, below int
		ended       string
	}
	floors := func(asOf Date) []row {
		lc := convertFixtures(t, &Data{}, asOf)
		var out []row
		for _, p := range lc.Software.Products {
			if p.VersionBelow != 0 {
				out = append(out, row{p.Product, p.VersionFrom, p.VersionBelow, p.Ended.String()})
			}
		}
		return out
	}
	tests := []struct {
		asOf string
		want []row
	}{
		{"2026-11-27", []row{
			{"Google Chrome older than 152", 0, 152, "2026-08-25"},
			{"Microsoft Edge older than 152", 0, 152, "2026-08-25"},
			{"Mozilla Firefox older than 115", 0, 115, "2023-09-26"},
			{"Mozilla Firefox 116 to 152", 116, 153, "2026-09-29"},
		}},
		{"2026-07-01", []row{
			{"Google Chrome older than 150", 0, 150, "2026-06-30"},
			{"Microsoft Edge older than 150", 0, 150, "2026-06-30"},
			{"Mozilla Firefox older than 115", 0, 115, "2023-09-26"},
			{"Mozilla Firefox 116 to 139", 116, 140, "2025-09-16"},
			{"Mozilla Firefox 141 to 151", 141, 152, "2026-06-16"},
		}},
	}
	for _, tt := range tests {
		if got := floors(MustDate(tt.asOf)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("as of %s:\n got %+v\nwant %+v", tt.asOf, got, tt.want)
		}
	}
}

// The converted bodies load through the ordinary data loader as overrides.
func TestConvertedFilesLoad(t *testing.T) {
	base, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	files, err := convertFixtures(t, base, MustDate("2026-12-01")).Files()
	if err != nil {
		t.Fatal(err)
	}
	dir := tempDir(t)
	var paths []string
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	if len(paths) != 3 {
		t.Fatalf("got files %v, want windows-releases, linux-releases and eol-software", paths)
	}
	d, err := LoadFrom(Sources{Files: paths, Now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Software.AsOf.String() != "2026-12-01" || d.Software.File == "" {
		t.Errorf("eol-software not taken from the converted file: %+v", d.Software.Provenance)
	}
	if !strings.Contains(d.LinuxReleases.Source, EndOfLifeURL("almalinux")) {
		t.Errorf("linux-releases source %q does not cite the API", d.LinuxReleases.Source)
	}
}

func TestConvertEndOfLifeBadInput(t *testing.T) {
	good := endOfLifeFixtures(t)
	withRelease := func(edit func(r map[string]any)) []byte {
		var resp map[string]any
		if err := json.Unmarshal(good["chrome"], &resp); err != nil {
			t.Fatal(err)
		}
		edit(resp["result"].(map[string]any)["releases"].([]any)[0].(map[string]any))
		b, _ := json.Marshal(resp)
		return b
	}
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"html page", []byte("<!DOCTYPE html>\n<html><body>Cloudflare</body></html>"), "HTML page"},
		{"truncated", good["chrome"][:len(good["chrome"])/2], "truncated"},
		{"schema 2", bytes.Replace(good["chrome"], []byte(`"schema_version": "1.0.0"`), []byte(`"schema_version": "2.0.0"`), 1), `schema_version "2.0.0"`},
		{"no releases", []byte(`{"schema_version":"1.0.0","generated_at":"2026-08-22T00:00:00+00:00","last_modified":"2026-08-22T00:00:00+00:00","result":{"name":"chrome","releases":[]}}`), "no releases"},
		{"bad eol date", withRelease(func(r map[string]any) { r["eolFrom"] = "25 August 2026" }), `release "151": eolFrom`},
		{"bad release date", withRelease(func(r map[string]any) { r["releaseDate"] = nil }), "releaseDate"},
		{"another product", good["firefox"], `for product "firefox"`},
		{"too big", make([]byte, maxEndOfLifeResponse+1), "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			responses := maps.Clone(good)
			responses["chrome"] = tt.body
			lc, err := ConvertEndOfLife(responses, &Data{}, builtInAsOf)
			if err == nil || !strings.Contains(err.Error(), "endoflife.date chrome: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one naming chrome and saying %q", err, tt.want)
			}
			if lc.Software != nil {
				t.Error("a software body was built although chrome's response was bad")
			}
			if lc.WindowsReleases == nil || lc.LinuxReleases == nil {
				t.Fatal("a bad chrome response stopped the other bodies")
			}
			if r, ok := lc.LinuxReleases.Release("almalinux", "8"); !ok || r.End.String() != "2029-05-31" {
				t.Errorf("AlmaLinux 8 after a bad chrome response: %+v %v", r, ok)
			}
		})
	}
}

func TestConvertEndOfLifeAbsentProducts(t *testing.T) {
	fixtures := endOfLifeFixtures(t)
	base, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	lc, err := ConvertEndOfLife(map[string][]byte{"windows": fixtures["windows"]}, base, builtInAsOf)
	if err != nil {
		t.Fatal(err)
	}
	if lc.LinuxReleases != nil || lc.Software != nil {
		t.Error("bodies without any of their products were built")
	}
	r, ok := lc.WindowsReleases.Release(WindowsVersion{CurrentBuild: 20348, InstallationType: "Server"})
	if !ok || r.End[Server].String() != "2031-10-14" {
		t.Errorf("Server 2022 should be kept from the base when windows-server is absent: %+v %v", r, ok)
	}
	if !strings.Contains(lc.WindowsReleases.Source, EndOfLifeURL("windows")) || strings.Contains(lc.WindowsReleases.Source, EndOfLifeURL("windows-server")) {
		t.Errorf("source %q should name only the windows product", lc.WindowsReleases.Source)
	}
	if _, err := ConvertEndOfLife(map[string][]byte{"windows-10": fixtures["windows"]}, base, builtInAsOf); err == nil {
		t.Error("an unknown product was accepted")
	}
}
