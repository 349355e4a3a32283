package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The first bytes of each format, as a program opening the file sees them.
var formatMagic = map[string]string{
	"json": "{\n", "xlsx": "PK\x03\x04", "html": "<!DOCTYPE html>", "csv": "Check,Title,Status", "ocsf": `{"activity_id":1`,
}

func TestScanWritesEveryFormat(t *testing.T) {
	dir := tempDir(t)
	for format, magic := range formatMagic {
		out := filepath.Join(dir, "r."+format)
		code, _, errOut := runArgs(t, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "--format", format, "-o", out)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", format, code, errOut)
		}
		if b, _ := os.ReadFile(out); !bytes.HasPrefix(b, []byte(magic)) {
			t.Errorf("%s: file starts %q, want %q", format, b[:min(len(b), 20)], magic)
		}
	}
}

func TestOutputExtensionPicksTheFormat(t *testing.T) {
	dir := tempDir(t)
	for name, magic := range map[string]string{"r.xlsx": formatMagic["xlsx"], "r.HTML": formatMagic["html"], "f.ndjson": formatMagic["ocsf"], "r.txt": "dspt-audit "} {
		out := filepath.Join(dir, name)
		if code, _, errOut := runArgs(t, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "-o", out); code != exitOK {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		if b, _ := os.ReadFile(out); !bytes.HasPrefix(b, []byte(magic)) {
			t.Errorf("-o %s: file starts %q, want %q", name, b[:min(len(b), 20)], magic)
		}
	}
	// An explicit --format wins over the extension.
	out := filepath.Join(dir, "report.xlsx")
	runArgs(t, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "--format", "json", "-o", out)
	if b, _ := os.ReadFile(out); !bytes.HasPrefix(b, []byte("{")) {
		t.Errorf("--format json -o report.xlsx wrote %q", b[:min(len(b), 20)])
	}
}

func TestBinaryFormatIsRefusedOnATerminal(t *testing.T) {
	s, out, errOut := testStreams()
	s.OutTTY = true
	if code := run([]string{"scan", "--from", profiles + "win10-1607-wannacry-era.json", "--format", "xlsx"}, s); code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if out.Len() != 0 || !strings.Contains(errOut.String(), "give -o FILE") {
		t.Errorf("stdout %d bytes, stderr %q", out.Len(), errOut)
	}
	// Piped, it is written: the user asked for it.
	s, out, _ = testStreams()
	if code := run([]string{"scan", "--from", profiles + "win10-1607-wannacry-era.json", "--format", "xlsx"}, s); code != exitOK || !strings.HasPrefix(out.String(), "PK") {
		t.Errorf("piped xlsx: exit %d, %d bytes", code, out.Len())
	}
}

func TestReportConvert(t *testing.T) {
	dir := tempDir(t)
	saved := filepath.Join(dir, "pc1.json")
	if code, _, errOut := runArgs(t, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "-o", saved); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for format, magic := range formatMagic {
		out := filepath.Join(dir, "converted."+format)
		if code, _, errOut := runArgs(t, "report", "convert", saved, "--format", format, "-o", out); code != exitOK {
			t.Fatalf("convert to %s: exit %d: %s", format, code, errOut)
		}
		if b, _ := os.ReadFile(out); !bytes.HasPrefix(b, []byte(magic)) {
			t.Errorf("convert to %s: file starts %q", format, b[:min(len(b), 20)])
		}
	}
	// Converting to JSON gives back the same report: nothing is judged again.
	original, _ := os.ReadFile(saved)
	again, _ := os.ReadFile(filepath.Join(dir, "converted.json"))
	if !bytes.Equal(original, again) {
		t.Error("report convert --format json changed the report")
	}
	code, text, _ := runArgs(t, "report", "convert", saved)
	if code != exitOK || !strings.Contains(text, "FAIL") || !strings.Contains(text, "GP-OLD-SCANNER") {
		t.Errorf("convert to text: exit %d\n%s", code, text)
	}
}

func TestReportConvertRefusesBadInputAndKeepsTheOldFile(t *testing.T) {
	dir := tempDir(t)
	out := filepath.Join(dir, "r.xlsx")
	os.WriteFile(out, []byte("earlier result"), 0o644)
	truncated := filepath.Join(dir, "truncated.json")
	os.WriteFile(truncated, []byte(`{"schema_version": 1, "tool": {"name": "dspt-audit"`), 0o644)
	tests := []struct {
		args []string
		says string
	}{
		{[]string{"report", "convert", truncated, "-o", out}, "not a JSON report"},
		{[]string{"report", "convert", profiles + "win10-1607-wannacry-era.json", "-o", out}, "scan --from"},
		{[]string{"report", "convert", filepath.Join(dir, "missing.json"), "-o", out}, "cannot read report"},
		{[]string{"report", "convert", "-o", out}, "takes one JSON report file"},
		{[]string{"report", "convert", truncated, "--format", "pdf", "-o", out}, `--format "pdf"`},
	}
	for _, tt := range tests {
		code, _, errOut := runArgs(t, tt.args...)
		if code != exitUsage || !strings.Contains(errOut, tt.says) || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
			t.Errorf("%q: exit %d, stderr %q; want %d saying %q", tt.args, code, errOut, exitUsage, tt.says)
		}
	}
	if b, _ := os.ReadFile(out); string(b) != "earlier result" {
		t.Errorf("the earlier file was overwritten: %q", b)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".r.xlsx.tmp-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %q", leftovers)
	}
}

// Attack: a result's outcome edited to Met over failing verdicts, and
// "OUTCOME" appended, were shown by report convert as Met.
func TestReportConvertRecountsTheVerdicts(t *testing.T) {
	dir := tempDir(t)
	saved := filepath.Join(dir, "pc1.json")
	if code, _, errOut := runArgs(t, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "-o", saved); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, _ := os.ReadFile(saved)
	forged := filepath.Join(dir, "forged.json")
	os.WriteFile(forged, bytes.Replace(b, []byte(`"outcome": "Standards Not Met"`), []byte(`"outcome": "Standards Met"`), 1), 0o644)
	code, text, errOut := runArgs(t, "report", "convert", forged, "--format", "json")
	var got struct {
		Outcome   string   `json:"outcome"`
		DataNotes []string `json:"data_notes"`
	}
	if err := json.Unmarshal([]byte(text), &got); err != nil || code != exitOK || got.Outcome != "Standards Not Met" || !strings.Contains(strings.Join(got.DataNotes, " "), `claims "Standards Met"`) {
		t.Errorf("exit %d (%v): the converted report shows %q, notes %q", code, err, got.Outcome, got.DataNotes)
	}
	if !strings.Contains(errOut, `claims "Standards Met"`) || !strings.Contains(errOut, "Standards Not Met") {
		t.Errorf("stderr does not say the file's claim differed: %q", errOut)
	}
	upper := filepath.Join(dir, "upper.json")
	os.WriteFile(upper, append(bytes.TrimSuffix(bytes.TrimSpace(b), []byte("}")), []byte(`,"OUTCOME":"Standards Met"}`)...), 0o644)
	if code, _, errOut := runArgs(t, "report", "convert", upper); code != exitUsage || !strings.Contains(errOut, `key "OUTCOME"`) {
		t.Errorf("OUTCOME appended: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		if code, _, errOut := runArgs(t, "report", "convert", "/dev/zero"); code != exitUsage || !strings.Contains(errOut, "not a regular file") {
			t.Errorf("/dev/zero: exit %d, %q", code, errOut)
		}
	}
}
