package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fleet --register writes the asset register from the results folder: a
// device row with the facts the profile holds, "could not read" where not.
func TestFleetRegister(t *testing.T) {
	results := tempDir(t)
	for _, p := range []string{"win11-enterprise-24h2-patched", "win10-1607-wannacry-era"} {
		if code, _, errOut := runArgs(t, "schedule", "run", "--from", profiles+p+".json", "--results-dir", results, "--state-dir", tempDir(t), "--keep", "0"); code == exitError {
			t.Fatal(errOut)
		}
	}
	out := filepath.Join(tempDir(t), "register.csv")
	trust := filepath.Join(tempDir(t), "trust.json")
	if code, _, errOut := runArgs(t, "fleet", results, "--register", "-o", out, "--now", "2026-11-24", "--trust", trust, "--trust-new"); code != exitOK {
		t.Fatal(errOut)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	serials := map[string]string{}
	for _, r := range rows[1:] {
		serials[r[0]] = r[3]
	}
	if serials["GP-RECEPTION-01"] != "7HX2KQ3" || serials["GP-OLD-SCANNER"] != "could not read (not recorded by this scan)" || len(rows) != 3 {
		t.Errorf("register rows %q", rows)
	}
	if code, _, errOut := runArgs(t, "fleet", results, "--register", "-f", "html", "--now", "2026-11-24", "--trust", trust); code == exitOK || !strings.Contains(errOut, "--register writes .xlsx or .csv") {
		t.Errorf("--register -f html: exit %d, %s", code, errOut)
	}
}
