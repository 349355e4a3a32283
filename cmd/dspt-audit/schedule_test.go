package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/schedule"
)

// TestScheduledRunsRollUp is the unattended night: every machine profile
// runs 'schedule run' into one results folder, as a practice's PCs would,
// and 'fleet' rolls the folder up.
func TestScheduledRunsRollUp(t *testing.T) {
	results, state := tempDir(t), tempDir(t)
	paths, _ := filepath.Glob(profiles + "*.json")
	outcomes := map[string][]string{} // host -> outcomes of its runs
	for _, p := range paths {
		// Each machine keeps its own state folder, and so its own key.
		machine := filepath.Join(state, hostOf(t, p))
		code, out, errOut := runArgs(t, "schedule", "run", "--from", p, "--results-dir", results, "--state-dir", machine, "--keep", "3")
		var rep struct {
			Host    struct{ Name string }
			Outcome string
		}
		b, err := os.ReadFile(filepath.Join(machine, schedule.FileName(hostOf(t, p))))
		if err != nil || json.Unmarshal(b, &rep) != nil {
			t.Fatalf("%s: no local copy of the result: %v", filepath.Base(p), err)
		}
		wantCode, wantEvent := exitFindings, "event 10"
		if rep.Outcome == "Standards Met" {
			wantCode, wantEvent = exitOK, "event 100: "
		}
		eventSays := rep.Outcome
		if runtime.GOOS == "windows" { // the event goes to the Event Log
			wantEvent, eventSays = "", ""
		}
		if code != wantCode || !strings.HasPrefix(out, wantEvent) || !strings.Contains(out, eventSays) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and one event for %s", filepath.Base(p), code, out, errOut, wantCode, rep.Outcome)
		}
		if _, err := os.Stat(filepath.Join(results, schedule.FileName(rep.Host.Name))); err != nil {
			t.Errorf("%s: HOST.json not in the results folder: %v", filepath.Base(p), err)
		}
		outcomes[strings.ToLower(rep.Host.Name)] = append(outcomes[strings.ToLower(rep.Host.Name)], rep.Outcome)
	}

	// After the newest profile: a result more than a day after --now is set aside.
	code, out, errOut := runArgs(t, "fleet", "--recursive", results, "--format", "json", "--now", "2026-12-01", "--trust", filepath.Join(state, "trust.json"), "--trust-new")
	if code != exitOK {
		t.Fatalf("fleet: exit %d, %s", code, errOut)
	}
	var roll struct {
		HostCount int `json:"host_count"`
		Hosts     []struct {
			Name, Outcome string
		}
		Skipped []any
	}
	if err := json.Unmarshal([]byte(out), &roll); err != nil {
		t.Fatal(err)
	}
	if roll.HostCount != len(outcomes) || len(roll.Skipped) != 0 {
		t.Errorf("fleet saw %d hosts, %d skipped; the runs were on %d hosts", roll.HostCount, len(roll.Skipped), len(outcomes))
	}
	for _, h := range roll.Hosts {
		runs := outcomes[strings.ToLower(h.Name)]
		if len(runs) == 1 && runs[0] != h.Outcome {
			t.Errorf("fleet says %s is %s; its run said %s", h.Name, h.Outcome, runs[0])
		}
	}
}

func hostOf(t *testing.T, snapshot string) string {
	t.Helper()
	var snap struct{ Host struct{ Hostname string } }
	b, _ := os.ReadFile(snapshot)
	if err := json.Unmarshal(b, &snap); err != nil {
		t.Fatal(err)
	}
	return snap.Host.Hostname
}

// TestScheduledRunThatCannotWrite: the share is not a folder. The run says
// so in its event and exit code, and the local copy survives.
func TestScheduledRunThatCannotWrite(t *testing.T) {
	dir, state := tempDir(t), tempDir(t)
	notAFolder := filepath.Join(dir, "share")
	if err := os.WriteFile(notAFolder, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runArgs(t, "schedule", "run", "--from", profiles+"win11-enterprise-24h2-patched.json", "--results-dir", notAFolder, "--state-dir", state)
	if runtime.GOOS == "windows" {
		out = "event 200: " // the event goes to the Event Log
	}
	if code != exitError || !strings.HasPrefix(out, "event 200: ") || !strings.Contains(errOut, "the result is kept in "+state) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(state, "GP-RECEPTION-01.json")); err != nil {
		t.Errorf("the local copy is missing: %v", err)
	}
}

func TestScheduleInstall(t *testing.T) {
	elevated := schedule.Elevated
	defer func() { schedule.Elevated = elevated }()
	schedule.Elevated = func() bool { return false }
	dir := tempDir(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"not elevated", []string{"--daily", "02:00", "--results-dir", dir}, exitNotAdmin, "", "needs "},
		{"print needs no rights", []string{"--daily", "02:30", "--results-dir", dir, "--print"}, exitOK, "02:30:00", ""},
		{"no time", []string{"--results-dir", dir}, exitUsage, "", "--daily is required"},
		{"bad time", []string{"--daily", "25:00", "--results-dir", dir}, exitUsage, "", "not a time of day"},
		{"relative folder", []string{"--daily", "02:00", "--results-dir", "results"}, exitUsage, "", "must be an absolute path"},
		{"no folder", []string{"--daily", "02:00"}, exitUsage, "", "--results-dir is required"},
	}
	for _, tc := range tests {
		code, out, errOut := runArgs(t, append([]string{"schedule", "install"}, tc.args...)...)
		if code != tc.code || !strings.Contains(out, tc.stdout) || !strings.Contains(errOut, tc.stderr) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d, %q, %q", tc.name, code, out, errOut, tc.code, tc.stdout, tc.stderr)
		}
	}
	if code, _, errOut := runArgs(t, "schedule", "remove"); code != exitNotAdmin || !strings.Contains(errOut, "needs ") {
		t.Errorf("remove unelevated: exit %d, %s", code, errOut)
	}
}

func TestFleetCommand(t *testing.T) {
	dir := tempDir(t)
	state := tempDir(t)
	for _, p := range []string{"win10-1607-wannacry-era", "win11-enterprise-24h2-patched", "ubuntu-2404-desktop-hardened"} {
		if code, _, errOut := runArgs(t, "schedule", "run", "--from", profiles+p+".json", "--results-dir", dir, "--state-dir", filepath.Join(state, p), "--keep", "0"); code == exitError {
			t.Fatalf("schedule run %s: %s", p, errOut)
		}
	}
	trust := filepath.Join(state, "trust.json")
	if code, _, errOut := runArgs(t, "fleet", dir, "--trust", trust, "--trust-new", "-o", filepath.Join(state, "first.json")); code != exitOK {
		t.Fatalf("fleet --trust-new: %s", errOut)
	}
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"schema_version": 1, "tool": {"name": "dspt-audit"`), 0o644)
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	book := filepath.Join(dir, "practice.xlsx")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"text", []string{dir, "--now", "2026-11-23"}, exitOK, "Hosts:    3", ""},
		{"skipped listed", []string{dir, "--now", "2026-11-23"}, exitOK, "broken.json: not JSON, or cut short", ""},
		{"xlsx", []string{dir, "-o", book}, exitOK, "", ""},
		{"no folder", []string{filepath.Join(dir, "nowhere")}, exitUsage, "", "cannot read"},
		{"nothing to read", []string{empty}, exitError, "", "no results found in " + empty + ": no .json files"},
		{"no arguments", nil, exitUsage, "", "needs at least one folder"},
		{"bad stale days", []string{dir, "--stale-days", "0"}, exitUsage, "", "--stale-days must be between 1 and 36500, got 0"},
		{"stale days beyond a Duration", []string{dir, "--stale-days", "106752"}, exitUsage, "", "--stale-days must be between 1 and 36500, got 106752"},
		{"trust store in the results folder", []string{dir, "--trust", filepath.Join(dir, "trust.json")}, exitUsage, "", "inside " + dir + ", a results folder every PC can write"},
		{"no default trust store here", []string{dir, "--trust", ""}, exitUsage, "", "give --trust FILE"},
	}
	for _, tc := range tests {
		if len(tc.args) > 0 && !slices.Contains(tc.args, "--trust") {
			tc.args = append(tc.args, "--trust", trust)
		}
		code, out, errOut := runArgs(t, append([]string{"fleet"}, tc.args...)...)
		if code != tc.code || !strings.Contains(out, tc.stdout) || !strings.Contains(errOut, tc.stderr) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d, %q, %q", tc.name, code, out, errOut, tc.code, tc.stdout, tc.stderr)
		}
	}
	if info, err := os.Stat(book); err != nil || info.Size() < 5000 {
		t.Errorf("no workbook written: %v", err)
	}
}
