package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// resultsOf writes the JSON results of two nights of one PC: patched, then
// with its private firewall turned off.
func resultsOf(t *testing.T) (old, new string) {
	t.Helper()
	dir := tempDir(t)
	for i, snap := range []string{
		editedSnapshot(t, dir, "night1.json", 0, nil, nil),
		editedSnapshot(t, dir, "night2.json", 1, map[string]any{privateFirewallKey: map[string]any{"type": "REG_DWORD", "data": 0}}, nil),
	} {
		out := filepath.Join(dir, []string{"old.json", "new.json"}[i])
		if code, _, errOut := runArgs(t, "scan", "--from", snap, "-o", out); code == exitError || code == exitUsage {
			t.Fatal(errOut)
		}
	}
	return filepath.Join(dir, "old.json"), filepath.Join(dir, "new.json")
}

func TestDiffCommand(t *testing.T) {
	old, new := resultsOf(t)
	out := tempDir(t)
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"text", []string{"diff", old, new}, exitOK, "REGRESSED    firewall-on", ""},
		{"unchanged", []string{"diff", old, old, "--fail-on-regression"}, exitOK, "\n\n27 checks unchanged.\n", ""},
		{"fail on regression", []string{"diff", old, new, "--fail-on-regression"}, exitFindings, "REGRESSED", "regressed or newly fail: firewall-on"},
		{"backwards", []string{"diff", new, old}, exitOK, "OLD was scanned after NEW", ""},
		{"json", []string{"diff", old, new, "--format", "json"}, exitOK, `"diff_schema_version": 1`, ""},
		{"one file", []string{"diff", old}, exitUsage, "", "takes two JSON results, OLD then NEW, got 1"},
		{"a snapshot", []string{"diff", patchedProfile, new}, exitUsage, "", "snapshot"},
		{"missing", []string{"diff", filepath.Join(out, "nope.json"), new}, exitUsage, "", "cannot read report"},
		{"unknown extension", []string{"diff", old, new, "-o", filepath.Join(out, "x.pdf")}, exitUsage, "", "no report format is written as .pdf"},
		{"output folder missing first", []string{"diff", "nope1.json", "nope2.json", "-o", filepath.Join(out, "no", "x.html")}, exitError, "", "does not exist"},
		{"csv is not a diff format", []string{"diff", old, new, "--format", "csv"}, exitUsage, "", `--format "csv" is not one of text, json, xlsx, html`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runArgs(t, c.args...)
			if code != c.code || !strings.Contains(stdout, c.stdout) || !strings.Contains(stderr, c.stderr) {
				t.Errorf("exit %d, stdout %.300q, stderr %q; want exit %d, stdout with %q, stderr with %q", code, stdout, stderr, c.code, c.stdout, c.stderr)
			}
		})
	}

	for ext, magic := range map[string]string{".xlsx": "PK", ".html": "<!DOCTYPE html>", ".json": "{"} {
		path := filepath.Join(out, "changes"+ext)
		if code, _, errOut := runArgs(t, "diff", old, new, "-o", path); code != exitOK {
			t.Fatalf("-o %s: exit %d, %s", path, code, errOut)
		}
		if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), magic) {
			t.Errorf("-o %s: the file does not start as %s does", path, ext)
		}
	}
}

// TestDiffListsChecksThisBuildDoesNotKnow: a check an older build had (or
// a newer one has) is listed as removed (or added), and noted, never
// dropped.
func TestDiffListsChecksThisBuildDoesNotKnow(t *testing.T) {
	old, new := resultsOf(t)
	b, err := os.ReadFile(old)
	if err != nil {
		t.Fatal(err)
	}
	var rep map[string]any
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	results := rep["results"].([]any)
	retired := maps.Clone(results[0].(map[string]any))
	retired["id"], retired["title"], retired["status"] = "retired-check", "A check\x1b[2J of long ago", "pass"
	rep["results"] = append(results, retired)
	b, _ = json.Marshal(rep)
	if err := os.WriteFile(old, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runArgs(t, "diff", old, new, "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var d struct {
		Notes  []string
		Checks []struct{ ID, Title, Change string }
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(d.Checks, func(c struct{ ID, Title, Change string }) bool { return c.ID == "retired-check" })
	if i < 0 || d.Checks[i].Change != "removed" {
		t.Errorf("the retired check is not listed as removed: %+v", d.Checks)
	}
	if !slices.ContainsFunc(d.Notes, func(n string) bool { return strings.HasPrefix(n, "OLD: 1 check this build does not know") }) {
		t.Errorf("notes %q", d.Notes)
	}
	_, text, _ := runArgs(t, "diff", old, new)
	if !strings.Contains(text, "REMOVED      retired-check") || strings.Contains(text, "\x1b") {
		t.Errorf("text view:\n%s", text)
	}
}

// TestDiffColourOnlyOnATerminal: colour on a terminal, never with NO_COLOR
// or into a pipe.
func TestDiffColourOnlyOnATerminal(t *testing.T) {
	old, new := resultsOf(t)
	for _, c := range []struct {
		name           string
		tty, noColor   bool
		wantEscapeCode bool
	}{{"terminal", true, false, true}, {"NO_COLOR", true, true, false}, {"pipe", false, false, false}} {
		s, out, _ := testStreams()
		s.OutTTY, s.NoColor = c.tty, c.noColor
		if code := run([]string{"diff", old, new}, s); code != exitOK {
			t.Fatalf("%s: exit %d", c.name, code)
		}
		if got := strings.Contains(out.String(), "\x1b["); got != c.wantEscapeCode {
			t.Errorf("%s: colour %v, want %v", c.name, got, c.wantEscapeCode)
		}
	}
}
