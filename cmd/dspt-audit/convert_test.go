package main

import (
	"bytes"
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
