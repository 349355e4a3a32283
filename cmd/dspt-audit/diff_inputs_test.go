package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/fleet"
	"github.com/nhs-dspt/dspt-audit/report/history"
)

// TestOutputNamingAnInputIsRefused: -o naming a file the command reads, by
// any name, is refused on one line before anything is written, and the
// file stays as it was.
func TestOutputNamingAnInputIsRefused(t *testing.T) {
	old, new := resultsOf(t)
	dir := filepath.Dir(new)
	link := filepath.Join(dir, "latest.json")
	if err := os.Symlink(new, link); err != nil {
		t.Fatal(err)
	}
	// Under Wine (.ci/wine) a symbolic link is made but leads nowhere; on
	// Windows the link cases are left to the hard link.
	links := runtime.GOOS != "windows"
	hard := filepath.Join(dir, "hard.json")
	if err := os.Link(old, hard); err != nil {
		t.Fatal(err)
	}
	oldBytes, _ := os.ReadFile(old)
	newBytes, _ := os.ReadFile(new)
	other := filepath.Join(dir, "sub", "..", filepath.Base(new))
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	for _, c := range []struct {
		args    []string
		role    string
		viaLink bool
	}{
		{[]string{"diff", old, new, "-o", new}, "is NEW", false},
		{[]string{"diff", old, new, "-o", old, "--format", "json"}, "is OLD", false},
		{[]string{"diff", old, new, "-o", other, "--format", "html"}, "is NEW", false},
		{[]string{"diff", old, link, "-o", new, "--format", "json"}, "is NEW", true},
		{[]string{"diff", old, new, "-o", link, "--format", "json"}, "is NEW", true},
		{[]string{"diff", hard, new, "-o", old, "--format", "json"}, "is OLD", false},
		{[]string{"report", "convert", new, "-o", new}, "is the report", false},
		{[]string{"report", "convert", new, "-o", other, "--format", "html"}, "is the report", false},
	} {
		if c.viaLink && !links {
			continue
		}
		code, stdout, stderr := runArgs(t, c.args...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, c.role) || !strings.Contains(stderr, "would replace it") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stdout %.100q, stderr %q; want exit 2 and one line saying -o %s", c.args, code, stdout, stderr, c.role)
		}
		if b, _ := os.ReadFile(old); !bytes.Equal(b, oldBytes) {
			t.Fatalf("%q changed OLD", c.args)
		}
		if b, _ := os.ReadFile(new); !bytes.Equal(b, newBytes) {
			t.Fatalf("%q changed NEW", c.args)
		}
	}
	if code, _, stderr := runArgs(t, "diff", old, new, "-o", filepath.Join(dir, "changes.json")); code != exitOK {
		t.Errorf("a new file beside the inputs: exit %d, %s", code, stderr)
	}
}

// TestSameResultTwiceIsNoted: the same result given as OLD and NEW (the
// same path, or a copy) says so rather than showing a quiet "nothing
// changed".
func TestSameResultTwiceIsNoted(t *testing.T) {
	old, _ := resultsOf(t)
	b, _ := os.ReadFile(old)
	cp := filepath.Join(filepath.Dir(old), "copy.json")
	if err := os.WriteFile(cp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{{old, old}, {old, cp}} {
		code, out, _ := runArgs(t, "diff", pair[0], pair[1])
		if code != exitOK || !strings.Contains(out, "Note: OLD and NEW are the same result (the files' SHA-256 is") {
			t.Errorf("diff %s %s: exit %d\n%s", pair[0], pair[1], code, out)
		}
	}
}

// TestDiffNamesFilesThatAreNotResults: each file a user may take for a
// result is named for what it is, on one line, with where the results are.
func TestDiffNamesFilesThatAreNotResults(t *testing.T) {
	old, new := resultsOf(t)
	dir := tempDir(t)
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	diffFile := filepath.Join(dir, "changes.json")
	if code, _, errOut := runArgs(t, "diff", old, new, "-o", diffFile); code != exitOK {
		t.Fatal(errOut)
	}
	var trend bytes.Buffer // as 'fleet --trend --format json' writes it
	if err := fleet.TrendJSON(&trend, &fleet.Trend{Period: fleet.Month}); err != nil {
		t.Fatal(err)
	}
	trendFile := write("trend.json", trend.Bytes())
	var lines []byte
	for _, p := range []string{old, new} {
		rep, err := readReport(p)
		if err != nil {
			t.Fatal(err)
		}
		line, _ := json.Marshal(history.FromReport(rep, rep.ResultSHA256))
		lines = append(append(lines, line...), '\n')
	}
	historyFile := write("PC1"+history.Suffix, lines)
	oneRecord := write("PC2"+history.Suffix, lines[:bytes.IndexByte(lines, '\n')+1])
	hint := "give a result such as history/HOST/TIME.json or HOST.json"
	for _, c := range []struct {
		path, want string
	}{
		{diffFile, "is a diff from 'dspt-audit diff', not a scan result"},
		{trendFile, "is a trend from 'dspt-audit fleet --trend', not a scan result"},
		{historyFile, "is a compact history file (a line per nightly run), not a scan result"},
		{oneRecord, "is a compact history file (a line per nightly run), not a scan result"},
		{write("null.json", []byte("null\n")), "is JSON holding no object (null, a number, a string or true/false), not a scan result"},
		{write("notes.txt", []byte("results are on the share\n")), "is a text file (not JSON), not a scan result"},
		{dir, "is a folder, not a regular file"},
	} {
		code, stdout, stderr := runArgs(t, "diff", c.path, new)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, c.path+" "+c.want) || strings.Count(stderr, "\n") != 1 ||
			c.path != dir && !strings.Contains(stderr, hint) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and one line saying %q", filepath.Base(c.path), code, stderr, c.want)
		}
	}
}

// TestTrendKindIsFleets: report.IdentifyFile tells a trend by the kind fleet
// writes.
func TestTrendKindIsFleets(t *testing.T) {
	if fleet.TrendKind != report.TrendKind {
		t.Errorf("fleet writes %q; report.IdentifyFile looks for %q", fleet.TrendKind, report.TrendKind)
	}
}
