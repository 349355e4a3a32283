package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/checks"
)

const profiles = "../../testdata/profiles/"

func runArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	s, out, errOut := testStreams()
	code = run(args, s)
	return code, out.String(), errOut.String()
}

func TestScanFromSnapshot(t *testing.T) {
	code, out, errOut := runArgs(t, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "--format", "json")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var rep struct {
		Outcome string
		Results []struct{ ID, Status string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	windowsChecks := 0
	for _, c := range checks.All() {
		if c.AppliesTo(checks.Windows) {
			windowsChecks++
		}
	}
	if rep.Outcome != "Standards Not Met" || len(rep.Results) != windowsChecks {
		t.Errorf("outcome %q, %d results", rep.Outcome, len(rep.Results))
	}
}

func TestExitCodes(t *testing.T) {
	dir := tempDir(t)
	absResults := "/srv/dspt" // an absolute results folder on this OS
	if runtime.GOOS == "windows" {
		absResults = `\\server\share\dspt`
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	good, _ := os.ReadFile(profiles + "win11-enterprise-24h2-patched.json")
	truncated := write("truncated.json", string(good[:len(good)/3]))
	wrongVersion := write("v9.json", strings.Replace(string(good), `"schema_version": 1`, `"schema_version": 9`, 1))
	unknownField := write("extra.json", strings.Replace(string(good), `"schema_version": 1,`, `"schema_version": 1, "surprise": 1,`, 1))
	badData := write("data.json", `{"kind":"windows-updates","as_of":"tomorrow"}`)
	wannacry := profiles + "win10-1607-wannacry-era.json"
	patched := profiles + "win11-enterprise-24h2-patched.json"

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"help", []string{"--help"}, exitOK, ""},
		{"scan help", []string{"scan", "--help"}, exitOK, ""},
		{"plain scan of findings exits 0", []string{"scan", "--from", wannacry}, exitOK, ""},
		{"fail-on critical", []string{"scan", "--from", wannacry, "--fail-on", "critical"}, exitFindings, "4 check(s) failed at or above critical: os-supported, patches-current, known-exploits, antimalware-active"},
		{"fail-on high counts high and critical", []string{"scan", "--from", wannacry, "--fail-on", "high"}, exitFindings, "12 check(s) failed"},
		{"only narrows the scan", []string{"scan", "--from", wannacry, "--only", "smb1-disabled,firewall-on", "--fail-on", "high"}, exitFindings, "2 check(s) failed at or above high: firewall-on, smb1-disabled"},
		{"unknown check ID", []string{"scan", "--from", wannacry, "--skip", "smbv1"}, exitUsage, `no check "smbv1"; the checks are: os-supported, patches-current`},
		{"fail-on with nothing failing", []string{"scan", "--from", patched, "--fail-on", "low"}, exitOK, ""},
		{"bad flag", []string{"scan", "--colour"}, exitUsage, "unknown flag: --colour"},
		{"bad format", []string{"scan", "--from", patched, "--format", "pdf"}, exitUsage, `--format "pdf" is not one of text, json, xlsx, html, csv, ocsf`},
		{"bad severity", []string{"scan", "--from", patched, "--fail-on", "urgent"}, exitUsage, `unknown severity "urgent"`},
		{"unknown command", []string{"scna"}, exitUsage, `unknown command "scna"`},
		{"stray argument", []string{"scan", "now"}, exitUsage, "takes no arguments"},
		{"missing snapshot", []string{"scan", "--from", filepath.Join(dir, "nope.json")}, exitUsage, "cannot read snapshot"},
		{"truncated snapshot", []string{"scan", "--from", truncated}, exitUsage, "truncated"},
		{"wrong schema version", []string{"scan", "--from", wrongVersion}, exitUsage, "schema version 9 is not supported"},
		{"unknown field", []string{"scan", "--from", unknownField}, exitUsage, `unknown field "surprise"`},
		{"bad data file", []string{"scan", "--from", patched, "--data", badData}, exitUsage, "as_of"},
		{"bad now", []string{"scan", "--from", patched, "--now", "yesterday"}, exitUsage, `--now "yesterday"`},
		{"bad timeout", []string{"scan", "--probe-timeout", "0s"}, exitUsage, "--probe-timeout must be between 1ms and 1h0m0s, got 0s"},
		{"negative timeout", []string{"scan", "--probe-timeout", "-5s"}, exitUsage, "--probe-timeout must be between"},
		{"timeout of days", []string{"collect", "--probe-timeout", "2562047h"}, exitUsage, "--probe-timeout must be between 1ms and 1h0m0s, got 2562047h0m0s"},
		{"download timeout", []string{"data", "update", "--timeout", "0s"}, exitUsage, "--timeout must be between 1s and 1h0m0s"},
		{"keep too many", []string{"schedule", "run", "--results-dir", "/nonexistent", "--keep", "1000000"}, exitUsage, "--keep must be between 0 and 1000"},
		{"keep negative at install", []string{"schedule", "install", "--daily", "02:00", "--results-dir", absResults, "--keep", "-1", "--print"}, exitUsage, "--keep must be between 0 and 1000, got -1"},
		{"random delay beyond a day", []string{"schedule", "install", "--daily", "02:00", "--results-dir", absResults, "--random-delay", "9999h", "--print"}, exitUsage, "--random-delay must be between 0 and 12h"},
		{"unwritable output", []string{"scan", "--from", patched, "-o", filepath.Join(dir, "missing", "r.json")}, exitError, "cannot write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runArgs(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr %q lacks %q", errOut, tt.stderr)
			}
			if code != exitOK {
				first := strings.SplitN(errOut, "\n", 2)[0]
				if !strings.HasPrefix(first, "dspt-audit: ") || strings.Contains(errOut, "goroutine") {
					t.Errorf("error is not one clear line: %q", errOut)
				}
			}
		})
	}
}

func TestOutputFileIsWrittenAndKeptOnFailure(t *testing.T) {
	out := filepath.Join(tempDir(t), "r.json")
	if code, _, errOut := runArgs(t, "scan", "--from", profiles+"win11-enterprise-24h2-patched.json", "-f", "json", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	first, err := os.ReadFile(out)
	if err != nil || !json.Valid(first) {
		t.Fatalf("report not written as JSON: %v", err)
	}
	// A later scan that fails on bad input leaves the earlier report alone.
	if code, _, _ := runArgs(t, "scan", "--from", "no-such-snapshot.json", "-f", "json", "-o", out); code != exitUsage {
		t.Errorf("exit %d", code)
	}
	if again, _ := os.ReadFile(out); string(again) != string(first) {
		t.Error("the earlier report was changed")
	}
}

func TestNowOverridesJudgementTime(t *testing.T) {
	// The patched profile, judged a year later, is out of date.
	_, out, _ := runArgs(t, "scan", "--from", profiles+"win11-enterprise-24h2-patched.json", "-f", "json", "--now", "2027-11-01")
	if !strings.Contains(out, `"judged_at": "2027-11-01T00:00:00Z"`) || !strings.Contains(out, "Enterprise/Education editions ended 2027-10-12") {
		t.Errorf("--now not applied:\n%s", out)
	}
	s, stdout, _ := testStreams()
	s.Getenv = func(k string) string {
		if k == "DSPT_AUDIT_NOW" {
			return "2027-11-01"
		}
		return ""
	}
	run([]string{"scan", "--from", profiles + "win11-enterprise-24h2-patched.json", "-f", "json"}, s)
	if !strings.Contains(stdout.String(), `"judged_at": "2027-11-01T00:00:00Z"`) {
		t.Error("DSPT_AUDIT_NOW not applied")
	}
}

func TestCollectThenScanFrom(t *testing.T) {
	snap := filepath.Join(tempDir(t), "snap.json")
	if code, _, errOut := runArgs(t, "collect", "-o", snap); code != 0 {
		t.Fatalf("collect exit %d: %s", code, errOut)
	}
	code, out, errOut := runArgs(t, "scan", "--from", snap, "-f", "json")
	if code != 0 {
		t.Fatalf("scan --from exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"id": "os-supported"`) {
		t.Errorf("replayed report lacks os-supported:\n%s", out)
	}
}

func TestCatalogueCommands(t *testing.T) {
	_, out, _ := runArgs(t, "checks")
	for _, id := range []string{"os-supported", "patches-current", "smb1-disabled", "firewall-on"} {
		if !strings.Contains(out, id) {
			t.Errorf("checks lacks %s", id)
		}
	}
	_, out, _ = runArgs(t, "checks", "--format", "json")
	var entries []struct {
		ID    string
		Reads []string
	}
	if err := json.Unmarshal([]byte(out), &entries); err != nil || len(entries) != len(checks.All()) || len(entries[0].Reads) == 0 {
		t.Errorf("checks --format json: %v %+v", err, entries)
	}
	_, out, _ = runArgs(t, "standards")
	if !strings.Contains(out, "Unsupported systems") || !strings.Contains(out, "os-supported, patches-current") || !strings.Contains(out, "(none: evidence this in the DSPT directly)") || !strings.Contains(out, "Standards 1, 3, 5, 10 are about people") {
		t.Errorf("standards output:\n%s", out)
	}
	_, out, _ = runArgs(t, "version")
	if !strings.HasPrefix(out, "dspt-audit ") {
		t.Errorf("version: %q", out)
	}
}

// TestNewerDataFileDecidesWithoutRebuild: the ESU profile's build is newer
// than the built-in update table, so patches-current is unknown; a newer
// table passed with --data that knows the build decides it.
func TestNewerDataFileDecidesWithoutRebuild(t *testing.T) {
	builtIn, err := os.ReadFile("../../standards/data/windows-updates.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(builtIn, &doc); err != nil {
		t.Fatal(err)
	}
	doc["as_of"] = "2026-11-20"
	for _, s := range doc["series"].([]any) {
		series := s.(map[string]any)
		if series["id"] == "19045" {
			series["updates"] = append(series["updates"].([]any), map[string]any{"date": "2026-11-10", "ubr": 7801, "kb": "KB5999999"})
		}
	}
	newer, _ := json.Marshal(doc)
	file := filepath.Join(tempDir(t), "windows-updates.json")
	os.WriteFile(file, newer, 0o644)

	status := func(args ...string) string {
		_, out, errOut := runArgs(t, append([]string{"scan", "--from", profiles + "win10-pro-22h2-esu-year2.json", "-f", "json"}, args...)...)
		var rep struct {
			Results []struct{ ID, Status, Summary string }
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v: %s", err, errOut)
		}
		for _, r := range rep.Results {
			if r.ID == "patches-current" {
				return r.Status + ": " + r.Summary
			}
		}
		return ""
	}
	if got := status(); !strings.HasPrefix(got, "unknown") {
		t.Errorf("built-in data: %s", got)
	}
	if got := status("--data", file); !strings.HasPrefix(got, "pass") || !strings.Contains(got, "KB5999999 (2026-11-10)") || !strings.Contains(got, "update data as of 2026-11-20") {
		t.Errorf("newer data: %s", got)
	}
}
