package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/standards"
)

const cvrfDocs = "../../testdata/cvrf/"

// patchedAfterOctober is the patched Windows 11 24H2 profile moved on to
// the UBR that only the October 2026 document lists, collected on
// 2026-11-03: built-in data (to September) cannot judge it.
func patchedAfterOctober(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(profiles + "win11-enterprise-24h2-patched.json")
	if err != nil {
		t.Fatal(err)
	}
	var snap map[string]any
	if err := json.Unmarshal(b, &snap); err != nil {
		t.Fatal(err)
	}
	snap["collected_at"] = "2026-11-03T08:00:00Z"
	found := false
	for _, o := range snap["observations"].([]any) {
		if o := o.(map[string]any); strings.HasSuffix(o["key"].(string), `CurrentVersion@UBR`) {
			o["value"] = map[string]any{"type": "REG_DWORD", "data": 10037}
			found = true
		}
	}
	if !found {
		t.Fatal("the profile has no UBR")
	}
	out, _ := json.Marshal(snap)
	path := filepath.Join(tempDir(t), "win11-24h2-october.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type scanned struct {
	Data []struct {
		Kind string
		AsOf string `json:"as_of"`
		File string
	}
	DataNotes []string `json:"data_notes"`
	Results   []struct{ ID, Status, Summary string }
}

func scanJSON(t *testing.T, args ...string) scanned {
	t.Helper()
	code, out, errOut := runArgs(t, append([]string{"scan", "--format", "json", "--only", "patches-current"}, args...)...)
	if code != exitOK {
		t.Fatalf("scan %v: exit %d, %s", args, code, errOut)
	}
	var rep scanned
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestImportedMonthDecidesAScan(t *testing.T) {
	snap := patchedAfterOctober(t)
	dir := filepath.Join(tempDir(t), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	before := scanJSON(t, "--from", snap, "--data-dir", dir)
	if r := before.Results[0]; r.Status != "unknown" || !strings.Contains(r.Summary, "newer than the newest update in the data") {
		t.Fatalf("without the October data: %s %q", r.Status, r.Summary)
	}
	if len(before.DataNotes) == 0 || !strings.Contains(before.DataNotes[0], "lacks the security updates of 2026-10-13") {
		t.Errorf("a report on stale data must say so: %q", before.DataNotes)
	}

	code, out, errOut := runArgs(t, "data", "import", cvrfDocs+"cvrfDocument-2026-Oct-edited.xml.gz", "--dir", dir, "--now", "2026-11-03")
	if code != exitOK || !strings.Contains(out, "2026-Oct") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}

	after := scanJSON(t, "--from", snap, "--data-dir", dir)
	if r := after.Results[0]; r.Status != "pass" || !strings.Contains(r.Summary, "KB5139473") {
		t.Errorf("with the October data: %s %q", r.Status, r.Summary)
	}
	file := filepath.Join(dir, "windows-updates.json")
	named := false
	for _, d := range after.Data {
		if d.Kind == "windows-updates" {
			named = d.File == file && d.AsOf == "2026-11-03"
		}
	}
	if !named {
		t.Errorf("the report's provenance does not name %s as of 2026-11-03: %+v", file, after.Data)
	}
	if len(after.DataNotes) != 0 {
		t.Errorf("notes on current data: %q", after.DataNotes)
	}
}

func TestDataStatus(t *testing.T) {
	dir := filepath.Join(tempDir(t), "data")
	if code, _, errOut := runArgs(t, "data", "import", cvrfDocs+"cvrfDocument-2026-Oct-edited.xml.gz", "--dir", dir, "--now", "2026-11-03"); code != exitOK {
		t.Fatal(errOut)
	}
	status := func(now string) (int, map[string]any) {
		code, out, _ := runArgs(t, "data", "status", "--data-dir", dir, "--format", "json", "--now", now)
		var st map[string]any
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			t.Fatalf("status JSON: %v\n%s", err, out)
		}
		return code, st
	}
	code, st := status("2026-11-20")
	updates := st["windows_updates"].(map[string]any)
	if code != exitOK || updates["stale"] != false || updates["missing_patch_tuesday"] != "2026-11-10" {
		t.Errorf("10 days after November's Patch Tuesday: exit %d, %v", code, updates)
	}
	code, st = status("2026-11-27")
	updates = st["windows_updates"].(map[string]any)
	if code != exitFindings || updates["stale"] != true || !strings.Contains(updates["advice"].(string), "data update") {
		t.Errorf("17 days after: exit %d, %v", code, updates)
	}
	for _, b := range st["data"].([]any) {
		if b := b.(map[string]any); b["kind"] == "windows-updates" && (b["as_of"] != "2026-11-03" || b["file"] != filepath.Join(dir, "windows-updates.json") || b["age_days"] != 24.0) {
			t.Errorf("windows-updates: %v", b)
		}
	}

	code, out, _ := runArgs(t, "data", "status", "--data-dir", dir, "--now", "2026-11-27")
	if code != exitFindings || !strings.Contains(out, "STALE") || !strings.Contains(out, filepath.Join(dir, "windows-updates.json")) {
		t.Errorf("text status: exit %d\n%s", code, out)
	}
}

func TestDataImportRefusesBadInput(t *testing.T) {
	dir := tempDir(t)
	html := filepath.Join(dir, "2026-Nov.xml")
	os.WriteFile(html, []byte("<!DOCTYPE html><html><body>Sign in to continue</body></html>"), 0o644)
	gz, _ := os.ReadFile(cvrfDocs + "cvrfDocument-2026-Oct-edited.xml.gz")
	cut := filepath.Join(dir, "cut.xml.gz")
	os.WriteFile(cut, gz[:len(gz)/2], 0o644)
	results := filepath.Join(dir, "results")
	os.MkdirAll(filepath.Join(results, "history"), 0o755)
	out := filepath.Join(dir, "out.json")
	os.WriteFile(out, []byte("earlier"), 0o644)

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"html page", []string{html}, "neither a CVRF document"},
		{"truncated gzip", []string{cut}, "cut.xml.gz"},
		{"missing file", []string{filepath.Join(dir, "nope.xml")}, "nope.xml"},
		{"early release only", []string{cvrfDocs + "cvrfDocument-early-edited.xml.gz", "-o", out}, "no data file"},
		{"into the results folder", []string{cvrfDocs + "cvrfDocument-2026-Oct-edited.xml.gz", "--dir", results}, "results folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"data", "import", "--now", "2026-11-03"}, tt.args...)
			if !strings.Contains(strings.Join(tt.args, " "), "--dir") {
				args = append(args, "--dir", filepath.Join(dir, "data-"+strings.ReplaceAll(tt.name, " ", "-")))
			}
			code, _, errOut := runArgs(t, args...)
			errors := strings.Count(errOut, "dspt-audit: ") - strings.Count(errOut, "dspt-audit: note: ")
			if code != exitUsage || !strings.Contains(errOut, tt.want) || errors != 1 {
				t.Errorf("exit %d, stderr %q; want exit 2 and one error line naming %q", code, errOut, tt.want)
			}
		})
	}
	if b, _ := os.ReadFile(out); string(b) != "earlier" {
		t.Errorf("a failed import overwrote -o: %q", b)
	}
}

// The four shared documents convert to the built-in rows for their months;
// with -o the file is written for inspection even though it adds nothing,
// and without it nothing is installed.
func TestDataImportOfKnownMonths(t *testing.T) {
	if underRace(t) {
		t.Skip("data import parses four CVRF months and starts no goroutine: TestDataImportOutput runs the command under -race")
	}
	docs := []string{cvrfDocs + "cvrfDocument-2025-Nov.xml.gz", cvrfDocs + "cvrfDocument-2025-Dec.xml.gz", cvrfDocs + "cvrfDocument-2026-Jan.xml.gz", cvrfDocs + "cvrfDocument-2026-Mar.xml.gz"}
	out := filepath.Join(tempDir(t), "windows-updates.json")
	if code, _, errOut := runArgs(t, append([]string{"data", "import", "-o", out, "--now", "2026-11-27", "--dir", filepath.Join(tempDir(t), "none")}, docs...)...); code != exitOK {
		t.Fatal(errOut)
	}
	imported, err := standards.LoadFrom(standards.Sources{Files: []string{out}, Now: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	builtIn, _ := standards.Load()
	for _, s := range builtIn.WindowsUpdates.Series {
		got, ok := imported.WindowsUpdates.SeriesFor(s.Builds[0], s.Channels[0])
		if !ok || !slices.Equal(got.Updates, s.Updates) {
			t.Errorf("series %s: imported %d monthly rows, built-in %d, or they differ", s.ID, len(got.Updates), len(s.Updates))
		}
	}

	dir := filepath.Join(tempDir(t), "data")
	code, stdout, errOut := runArgs(t, append([]string{"data", "import", "--dir", dir, "--now", "2026-11-27"}, docs...)...)
	if code != exitOK || !strings.Contains(stdout, "Nothing new") {
		t.Errorf("install of known months: exit %d\n%s%s", code, stdout, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "windows-updates.json")); err == nil {
		t.Error("a file that adds nothing was installed")
	}
}

func TestDataImportOutput(t *testing.T) {
	out := filepath.Join(tempDir(t), "windows-updates.json")
	code, _, errOut := runArgs(t, "data", "import", cvrfDocs+"cvrfDocument-2026-Oct-edited.xml.gz", "-o", out, "--now", "2026-11-03", "--dir", filepath.Join(tempDir(t), "none"))
	if code != exitOK {
		t.Fatal(errOut)
	}
	code, stdout, errOut := runArgs(t, "scan", "--from", patchedAfterOctober(t), "--data", out, "--only", "patches-current")
	if code != exitOK || !strings.Contains(stdout, "KB5139473") || !strings.Contains(stdout, out) {
		t.Errorf("scan --data with the imported file: exit %d\n%s%s", code, stdout, errOut)
	}
}

func TestDataDirAwayFromResults(t *testing.T) {
	results, inside, apart := "/srv/dspt", "/srv/dspt/data", "/srv/dspt-data"
	if runtime.GOOS == "windows" {
		results, inside, apart = `\\server\share\dspt`, `\\SERVER\share\DSPT\data`, `\\server\share\dspt-data`
	}
	code, _, errOut := runArgs(t, "schedule", "install", "--daily", "02:00", "--results-dir", results, "--data-dir", inside, "--print")
	if code != exitUsage || !strings.Contains(errOut, "or inside it") {
		t.Errorf("exit %d, %q", code, errOut)
	}
	code, out, errOut := runArgs(t, "schedule", "install", "--daily", "02:00", "--results-dir", results, "--data-dir", apart, "--update-data", "--print")
	if code != exitOK || !strings.Contains(out, "--data-dir") || !strings.Contains(out, apart) || !strings.Contains(out, "--update-data") {
		t.Errorf("exit %d, %q\n%s", code, errOut, out)
	}
	if code, _, errOut := runArgs(t, "scan", "--data-dir", "/nonexistent/dspt-data"); code != exitUsage || !strings.Contains(errOut, "not a folder") {
		t.Errorf("scan with a missing --data-dir: exit %d, %q", code, errOut)
	}
}

// A data file written by 'data import -o' on another computer installs as
// it is; one that drops built-in facts is refused, naming the file.
func TestDataImportOfADataFile(t *testing.T) {
	converted := filepath.Join(tempDir(t), "windows-updates.json")
	if code, _, errOut := runArgs(t, "data", "import", cvrfDocs+"cvrfDocument-2026-Oct-edited.xml.gz", "-o", converted, "--now", "2026-11-03", "--dir", filepath.Join(tempDir(t), "none")); code != exitOK {
		t.Fatal(errOut)
	}
	dir := filepath.Join(tempDir(t), "data")
	code, out, errOut := runArgs(t, "data", "import", converted, "--dir", dir, "--now", "2026-11-03")
	if code != exitOK || !strings.Contains(out, "Installed") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "windows-updates.json")); err != nil {
		t.Error(err)
	}

	dropped := filepath.Join(tempDir(t), "dropped.json")
	os.WriteFile(dropped, []byte(`{"kind":"windows-updates","as_of":"2026-11-03","source":"x","series":[{"id":"a","builds":[1],"channels":["client"],"updates":[{"date":"2026-10-13","ubr":5,"kb":"KB5000001"}]}]}`), 0o644)
	code, _, errOut = runArgs(t, "data", "import", dropped, "--dir", filepath.Join(tempDir(t), "data2"), "--now", "2026-11-03")
	if code != exitUsage || !strings.Contains(errOut, dropped) || !strings.Contains(errOut, "never drop one") {
		t.Errorf("exit %d, %q", code, errOut)
	}
}
