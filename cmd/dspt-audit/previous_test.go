package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/schedule"
	"github.com/nhs-dspt/dspt-audit/report"
)

// editedSnapshot writes the patched profile into dir as name, a day later
// per step, with edit applied to its observations by key.
func editedSnapshot(t *testing.T, dir, name string, days int, edit map[string]any, host func(*probe.HostInfo)) string {
	t.Helper()
	f, err := os.Open(patchedProfile)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := probe.ReadSnapshot(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	snap.CollectedAt = snap.CollectedAt.Add(time.Duration(days) * 24 * time.Hour)
	for i, o := range snap.Observations {
		if o.Key == "host:info" && host != nil {
			host(&snap.Host)
			var h probe.HostInfo
			if err := json.Unmarshal(o.Value, &h); err != nil {
				t.Fatal(err)
			}
			host(&h)
			edit = mapWith(edit, o.Key, h)
		}
		if v, ok := edit[o.Key]; ok {
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			snap.Observations[i].Value, snap.Observations[i].Error = b, nil
		}
	}
	b, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func mapWith(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{k: v}
	for key, x := range m {
		out[key] = x
	}
	return out
}

const (
	privateFirewallKey = `registry:HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\StandardProfile@EnableFirewall`
	rdpKey             = `registry:HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\fDenyTSConnections`
)

type nightly struct {
	t                       *testing.T
	snaps, results, state   string
	code                    int
	stdout, stderr, written string
}

// run is one night: schedule run of the snapshot into the results folder.
func (n *nightly) run(snap string) *report.Report {
	n.t.Helper()
	n.code, n.stdout, n.stderr = runArgs(n.t, "schedule", "run", "--from", snap, "--results-dir", n.results, "--state-dir", n.state, "--keep", "2")
	if n.code == exitError {
		n.t.Fatalf("schedule run: exit %d, %s %s", n.code, n.stdout, n.stderr)
	}
	b, err := os.ReadFile(filepath.Join(n.results, "GP-RECEPTION-01.json"))
	if err != nil {
		n.t.Fatal(err)
	}
	n.written = string(b)
	rep, err := report.Decode(b)
	if err != nil {
		n.t.Fatal(err)
	}
	return rep
}

func newNightly(t *testing.T) *nightly {
	return &nightly{t: t, snaps: tempDir(t), results: tempDir(t), state: tempDir(t)}
}

// TestScheduledRunRecordsRegressions: a PC whose firewall is turned off
// overnight. The second run compares with the first result, records it as
// previous, and writes event 104 naming firewall-on besides the outcome
// event.
func TestScheduledRunRecordsRegressions(t *testing.T) {
	n := newNightly(t)
	first := n.run(editedSnapshot(t, n.snaps, "night1.json", 0, nil, nil))
	firstBytes, _ := os.ReadFile(filepath.Join(n.results, "GP-RECEPTION-01.json"))
	if first.Previous != nil {
		t.Errorf("the first run records a previous result: %+v", first.Previous)
	}
	if strings.Contains(n.stdout, "event 104") {
		t.Errorf("the first run wrote a regression event: %q", n.stdout)
	}

	second := n.run(editedSnapshot(t, n.snaps, "night2.json", 1, map[string]any{privateFirewallKey: map[string]any{"type": "REG_DWORD", "data": 0}}, nil))
	prev := second.Previous
	if prev == nil {
		t.Fatalf("no previous in the second result; stdout %q stderr %q", n.stdout, n.stderr)
	}
	sum := sha256.Sum256(firstBytes)
	if !prev.ScannedAt.Equal(first.ScannedAt) || prev.Outcome != first.Outcome || *prev.Score != *first.Score || prev.ResultSHA256 != hex.EncodeToString(sum[:]) || prev.Note != "" {
		t.Errorf("previous %+v; want the first result's time %v, outcome %s, score %d and hash", prev, first.ScannedAt, first.Outcome, *first.Score)
	}
	// Independently: every check pass before and warn or fail after is a regression.
	var want []string
	before := map[string]string{}
	for _, r := range first.Results {
		before[r.ID] = r.Status.String()
	}
	for _, r := range second.Results {
		if before[r.ID] == "pass" && (r.Status.String() == "fail" || r.Status.String() == "warn") {
			want = append(want, r.ID)
		}
	}
	if !slices.Contains(want, "firewall-on") || !slices.Equal(sorted(prev.Regressed), sorted(want)) || len(prev.NewFailures) != 0 || len(prev.Fixed) != 0 {
		t.Errorf("regressed %v, new failures %v, fixed %v; want regressed %v only", prev.Regressed, prev.NewFailures, prev.Fixed, want)
	}
	if runtime.GOOS != "windows" { // there the events go to the Event Log
		lines := strings.Split(strings.TrimSpace(n.stdout), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "event 10") || !strings.HasPrefix(lines[1], fmt.Sprintf("event %d: ", schedule.EventRegressed)) ||
			!strings.Contains(lines[1], "regressed: firewall-on") || !strings.Contains(lines[1], first.ScannedAt.UTC().Format("2006-01-02 15:04")) {
			t.Errorf("events %q; want the outcome event, then event 104 naming firewall-on and the previous scan's time", lines)
		}
	}

	// The third night, nothing changed: previous is the second, nothing worse, no event 104.
	third := n.run(editedSnapshot(t, n.snaps, "night3.json", 2, map[string]any{privateFirewallKey: map[string]any{"type": "REG_DWORD", "data": 0}}, nil))
	if third.Previous == nil || !third.Previous.ScannedAt.Equal(second.ScannedAt) || len(third.Previous.Regressed) != 0 {
		t.Errorf("third night: previous %+v", third.Previous)
	}
	if strings.Contains(n.stdout, "event 104") {
		t.Errorf("an unchanged night wrote a regression event: %q", n.stdout)
	}
}

// TestScheduledRunPreviousNotCompared: whatever the folder holds as
// HOST.json, the new result is written, and previous.note says why it was
// not compared.
func TestScheduledRunPreviousNotCompared(t *testing.T) {
	cases := []struct {
		name  string
		plant func(t *testing.T, n *nightly, path string)
		note  string
	}{
		{"unreadable", func(t *testing.T, n *nightly, path string) { os.WriteFile(path, []byte("{\"tool\":\x00"), 0o644) }, "could not be read"},
		{"oversized", func(t *testing.T, n *nightly, path string) {
			os.WriteFile(path, []byte(`{"pad":"`+strings.Repeat("x", report.MaxSize)+`"}`), 0o644)
		}, "larger than 4 MB"},
		{"another machine", func(t *testing.T, n *nightly, path string) {
			n.run(editedSnapshot(t, n.snaps, "other.json", -1, nil, func(h *probe.HostInfo) { h.HostID = "4c4c4544-0000-0000-0000-00000000beef" }))
		}, `another machine (host ID "4c4c4544-0000-0000-0000-00000000beef"`},
		{"another key", func(t *testing.T, n *nightly, path string) {
			// The same host ID, written by a PC with another key (a copy planted by hand).
			code, _, errOut := runArgs(t, "schedule", "run", "--from", editedSnapshot(t, n.snaps, "planted.json", -1, nil, nil), "--results-dir", n.results, "--state-dir", tempDir(t), "--keep", "0")
			if code == exitError {
				t.Fatal(errOut)
			}
		}, "not vouched for by this machine: it is signed with key SHA256:"},
		{"unsigned", func(t *testing.T, n *nightly, path string) {
			code, out, errOut := runArgs(t, "scan", "--from", editedSnapshot(t, n.snaps, "manual.json", -1, nil, nil), "--format", "json")
			if code == exitError {
				t.Fatal(errOut)
			}
			os.WriteFile(path, []byte(out), 0o644)
		}, "not vouched for by this machine: it is unsigned"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := newNightly(t)
			c.plant(t, n, filepath.Join(n.results, "GP-RECEPTION-01.json"))
			rep := n.run(editedSnapshot(t, n.snaps, "tonight.json", 0, map[string]any{privateFirewallKey: map[string]any{"type": "REG_DWORD", "data": 0}}, nil))
			if rep.Previous == nil || !strings.Contains(rep.Previous.Note, c.note) || !strings.HasSuffix(rep.Previous.Note, "; not compared.") ||
				len(rep.Previous.Regressed) != 0 || !rep.Previous.ScannedAt.IsZero() {
				t.Errorf("previous %+v; want only a note saying %q", rep.Previous, c.note)
			}
			if strings.Contains(n.stdout, "event 104") || strings.Count(n.stdout, "event ") > 1 && runtime.GOOS != "windows" {
				t.Errorf("events %q; want the outcome event only", n.stdout)
			}
			if strings.ContainsRune(n.written, 0) || strings.Contains(rep.Previous.Note, "\x00") {
				t.Error("a control character of the planted file reached the result")
			}
		})
	}
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
