package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/report/history"
)

// schedule run adds each run to the host's compact history, and fleet
// --trend reads it (and the full copies, once) for the hosts it trusts.
func TestScheduleRunHistoryAndFleetTrend(t *testing.T) {
	results := tempDir(t)
	for _, p := range []string{"win11-enterprise-24h2-patched", "win10-1607-wannacry-era"} {
		if code, _, errOut := runArgs(t, "schedule", "run", "--from", profiles+p+".json", "--results-dir", results, "--state-dir", tempDir(t), "--keep", "3"); code == exitError {
			t.Fatal(errOut)
		}
	}
	files, _ := filepath.Glob(filepath.Join(results, "history", "GP-RECEPTION-01.*"+history.Suffix))
	if len(files) != 1 {
		t.Fatalf("history files %v, want one named by host name and ID", files)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	recs, st, err := history.Read(f)
	f.Close()
	if err != nil || len(recs) != 1 || st.Corrupt != 0 || len(recs[0].Checks) == 0 || recs[0].Sig == "" {
		t.Fatalf("history: %d records, %+v, %v", len(recs), st, err)
	}
	trust := filepath.Join(tempDir(t), "trust.json")
	code, out, errOut := runArgs(t, "fleet", results, "--trend", "-f", "json", "--now", "2026-11-27", "--trust", trust, "--trust-new")
	if code == exitError {
		t.Fatal(errOut)
	}
	var doc struct {
		Kind      string
		V         int
		Records   int `json:"runs_from_histories"`
		Full      int `json:"runs_from_full_results"`
		Untrusted int `json:"untrusted_runs"`
		Periods   []struct{ Hosts int }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if doc.Kind != "dspt-audit fleet trend" || doc.Records+doc.Full != 2 || doc.Untrusted != 0 || len(doc.Periods) == 0 || doc.Periods[len(doc.Periods)-1].Hosts != 2 {
		t.Errorf("trend %+v", doc)
	}
	// A recursive roll-up does not list the histories as files skipped.
	code, out, _ = runArgs(t, "fleet", results, "-r", "-f", "json", "--now", "2026-11-27", "--trust", trust)
	if strings.Contains(out, history.Suffix) {
		t.Errorf("the roll-up mentions a history file (exit %d)", code)
	}
}

func TestTrendFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--since", "2026-06-01"}, "add --trend"},
		{[]string{"--period", "week"}, "add --trend"},
		{[]string{"--trend", "--period", "day"}, "--period is month or week"},
		{[]string{"--trend", "--since", "June"}, "is not a date"},
		{[]string{"--trend", "-f", "csv"}, "--trend writes text, json, xlsx or html"},
		{[]string{"--trend", "--register", "-o", "x.xlsx"}, "run them one at a time"},
		{[]string{"--trend", "--since", "2027-01-01", "--now", "2026-11-27"}, "--since 2027-01-01 is in the future (today is 2026-11-27)"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			args := append([]string{"fleet", tempDir(t), "--trust", filepath.Join(tempDir(t), "trust.json")}, c.args...)
			code, _, errOut := runArgs(t, args...)
			if code != exitUsage || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d, %q; want a usage error saying %q", code, errOut, c.want)
			}
		})
	}
}

// A new user's first trend, before any PC is trusted: each result is
// listed with its reason and the way forward, and no empty page is
// written.
func TestTrendBeforeAnyPCIsTrusted(t *testing.T) {
	results := tempDir(t)
	for _, p := range []string{"win11-enterprise-24h2-patched", "win10-1607-wannacry-era"} {
		runArgs(t, "schedule", "run", "--from", profiles+p+".json", "--results-dir", results, "--state-dir", tempDir(t), "--keep", "3")
	}
	page := filepath.Join(tempDir(t), "x.html")
	code, out, errOut := runArgs(t, "fleet", results, "--trend", "--now", "2026-11-27", "--trust", filepath.Join(tempDir(t), "trust.json"), "-o", page)
	if code != exitError || out != "" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	for _, want := range []string{"not counted: " + filepath.Join(results, "GP-RECEPTION-01.json"), "not counted: " + filepath.Join(results, "GP-OLD-SCANNER.json"), "new, not yet trusted", "accept them with 'fleet --trust-new'"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr does not say %q:\n%s", want, errOut)
		}
	}
	if _, err := os.Stat(page); err == nil {
		t.Error("an empty trend page was written")
	}
}
