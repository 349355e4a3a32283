package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// renamedSnapshot copies a profile with the host renamed (in the snapshot's
// host and in the observation the scan reads it from).
func renamedSnapshot(t *testing.T, dir, profile, host string) string {
	t.Helper()
	b, err := os.ReadFile(profiles + profile)
	if err != nil {
		t.Fatal(err)
	}
	var snap map[string]any
	if err := json.Unmarshal(b, &snap); err != nil {
		t.Fatal(err)
	}
	snap["host"].(map[string]any)["hostname"] = host
	for _, o := range snap["observations"].([]any) {
		if o := o.(map[string]any); o["key"] == "host:info" {
			o["value"].(map[string]any)["hostname"] = host
		}
	}
	b, _ = json.Marshal(snap)
	path := filepath.Join(dir, host+".snapshot")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The attack: GABINET-Ł1 and GABINET-Ś1 both wrote GABINET-_1.json, PC 1
// and PC_1 both PC_1.json, each overwriting the other. Now each host has
// its own file, and a result under the earlier name is still rolled up.
func TestHostsWithSimilarNamesKeepTheirOwnResults(t *testing.T) {
	results, state, snaps := tempDir(t), tempDir(t), tempDir(t)
	hosts := []string{"GABINET-Ł1", "GABINET-Ś1", "PC 1", "PC_1"}
	for _, host := range hosts {
		snap := renamedSnapshot(t, snaps, "win11-enterprise-24h2-patched.json", host)
		// Each PC its own state folder, so its own signing key.
		state := filepath.Join(state, strings.ReplaceAll(host, " ", "-"))
		if code, _, errOut := runArgs(t, "schedule", "run", "--from", snap, "--results-dir", results, "--state-dir", state, "--keep", "2"); code == exitError {
			t.Fatalf("%s: %s", host, errOut)
		}
	}
	// A result under the name the previous version gave the host: a signed
	// run's result moved there, so that the trust store counts it.
	old := renamedSnapshot(t, snaps, "win10-1607-wannacry-era.json", "GABINET-Ż2")
	elsewhere := tempDir(t)
	if code, _, errOut := runArgs(t, "schedule", "run", "--from", old, "--results-dir", elsewhere, "--state-dir", filepath.Join(state, "old"), "--keep", "0"); code == exitError {
		t.Fatal(errOut)
	}
	if err := os.Rename(filepath.Join(elsewhere, "GABINET-%C5%BB2.json"), filepath.Join(results, "GABINET-_2.json")); err != nil {
		t.Fatal(err)
	}
	trust := filepath.Join(tempDir(t), "trust.json")
	code, out, errOut := runArgs(t, "fleet", "--recursive", results, "-f", "json", "--now", "2026-11-24", "--trust", trust, "--trust-new")
	if code != exitOK {
		t.Fatalf("fleet: exit %d, %s", code, errOut)
	}
	var roll struct {
		Hosts []struct {
			Name    string
			Results int `json:"results_read"`
		}
	}
	if err := json.Unmarshal([]byte(out), &roll); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range roll.Hosts {
		names = append(names, h.Name)
		if h.Name != "GABINET-Ż2" && h.Results != 2 { // HOST.json and its history copy
			t.Errorf("%s: %d results, want its own 2", h.Name, h.Results)
		}
	}
	slices.Sort(names)
	if want := []string{"GABINET-Ł1", "GABINET-Ś1", "GABINET-Ż2", "PC 1", "PC_1"}; !slices.Equal(names, want) {
		t.Errorf("fleet rolled up %v, want %v", names, want)
	}
	if strings.Contains(out, "GABINET-_1.json") {
		t.Error("a result was still written as GABINET-_1.json")
	}
}
