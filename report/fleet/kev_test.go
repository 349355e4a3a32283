package fleet

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/report"
)

// exploitedShare writes the real profiles' results, the 1607 one three
// times under other names and once with a forged detail, and rolls it up.
func exploitedShare(t *testing.T) *Rollup {
	t.Helper()
	dir := tempDir(t)
	var old *report.Report
	for _, rep := range profileReports(t) {
		writeJSON(t, filepath.Join(dir, rep.Host.Name+".json"), rep)
		for _, r := range rep.Results {
			if r.ID == knownExploitsCheck && strings.Contains(r.Summary, "MS17-010 (") {
				old = rep
			}
		}
	}
	if old == nil {
		t.Fatal("no profile is exposed to MS17-010")
	}
	for _, name := range []string{"COPY-1", "COPY-2"} {
		c := *old
		c.Host.Name = name
		writeJSON(t, filepath.Join(dir, name+".json"), &c)
	}
	forged := *old
	forged.Host.Name = "FORGED"
	forged.Results = slices.Clone(old.Results)
	for i, r := range forged.Results {
		if r.ID == knownExploitsCheck {
			forged.Results[i].Details = []string{"no id here \x1b[2J", "CVE-2026-99999 seen twice", "CVE-2026-99999 again", strings.Repeat("x", 5000) + " CVE-2026-88888"}
		}
	}
	writeJSON(t, filepath.Join(dir, "FORGED.json"), &forged)
	return rollUp(t, []string{dir}, false)
}

func TestRollupCountsExploitedFlaws(t *testing.T) {
	roll := exploitedShare(t)
	got := map[string]int{}
	for _, e := range roll.Exploited {
		got[e.ID] = e.Hosts
	}
	// The 1607 profile and its two copies are open to MS17-010 and
	// PrintNightmare; the forged copy names one CVE, once; the text past
	// 1,000 characters of a line is not read.
	want := map[string]int{"MS17-010": 3, "CVE-2021-34527": 3, "CVE-2026-99999": 1}
	if len(got) != len(want) {
		t.Errorf("exploited flaws %v, want %v", got, want)
	}
	for id, n := range want {
		if got[id] != n {
			t.Errorf("%s open on %d hosts, want %d", id, got[id], n)
		}
	}
	if roll.Exploited[0].Hosts < roll.Exploited[len(roll.Exploited)-1].Hosts {
		t.Error("not worst first")
	}
	for _, h := range roll.Hosts {
		if h.Name == "COPY-1" && len(h.Exploited) != 2 {
			t.Errorf("COPY-1 open to %v, want MS17-010 and CVE-2021-34527", h.Exploited)
		}
	}

	var doc struct {
		Exploited []ExploitedTally `json:"exploited_flaws_open"`
		Hosts     []struct {
			Name string `json:"name"`
			Open int    `json:"exploited_flaws_open"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal(write(t, "json", roll), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Exploited) != len(want) || doc.Exploited[0].Hosts != 3 {
		t.Errorf("JSON exploited_flaws_open = %+v", doc.Exploited)
	}
	for _, h := range doc.Hosts {
		if h.Name == "COPY-2" && h.Open != 2 {
			t.Errorf("JSON COPY-2 exploited_flaws_open = %d, want 2", h.Open)
		}
	}
	page := write(t, "html", roll)
	if !bytes.Contains(page, []byte("Exploited flaws still open")) || !bytes.Contains(page, []byte(`<td class="mono">MS17-010</td><td class="num">3</td>`)) {
		t.Error("the HTML page has no per-flaw table with MS17-010 on 3 PCs")
	}
}
