package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/schedule"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/history"
	"github.com/nhs-dspt/dspt-audit/standards"
)

var firewallOff = map[string]any{privateFirewallKey: map[string]any{"type": "REG_DWORD", "data": 0}}

// shareHistory is the share's compact history of the host.
func (n *nightly) shareHistory(rep *report.Report) (string, []history.Record, history.Stats) {
	n.t.Helper()
	path := filepath.Join(n.results, schedule.HistoryDir, schedule.HistoryFileName(rep.Host.Name, rep.Host.ID))
	recs, st := readHistoryFile(n.t, path)
	return path, recs, st
}

func readHistoryFile(t *testing.T, path string) ([]history.Record, history.Stats) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, st, err := history.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	return recs, st
}

// plantedRecords are n valid records (unsigned, or signed by nobody this
// machine knows) of host ID id, a day apart, ending at end.
func plantedRecords(rep *report.Report, id, name string, n int, end time.Time) []history.Record {
	var recs []history.Record
	for i := range n {
		r := history.FromReport(rep, "")
		r.HostID, r.HostName, r.ScannedAt = id, name, end.Add(-time.Duration(n-1-i)*time.Hour)
		sum := sha256.Sum256([]byte(id + r.ScannedAt.String()))
		r.ResultSHA256 = hex.EncodeToString(sum[:])
		recs = append(recs, r)
	}
	return recs
}

func writeRecords(t *testing.T, path string, prefix []byte, recs []history.Record) {
	t.Helper()
	var b bytes.Buffer
	b.Write(prefix)
	if err := history.Write(&b, recs); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Nothing planted in the share's history file removes the PC's own
// records: 2,100 records of another host ID, or 9 MB of garbage before
// its records. The run rewrites the file from the history the state
// folder keeps, this machine's records only, and says nothing in
// developer's words.
func TestNightlyHistorySurvivesWhatIsPlantedInTheShare(t *testing.T) {
	for _, c := range []struct {
		name   string
		prefix []byte
		others int
	}{
		{"flooded with another machine's records", nil, 2100},
		{"garbage before the records", bytes.Repeat([]byte("x"), 9<<20), 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := newNightly(t)
			var own *report.Report
			for day := range 3 {
				own = n.run(editedSnapshot(t, n.snaps, "night.json", day, nil, nil))
			}
			path, recs, _ := n.shareHistory(own)
			if len(recs) != 3 {
				t.Fatalf("%d records after 3 nights", len(recs))
			}
			var planted []history.Record
			if c.others > 0 {
				planted = plantedRecords(own, "4c4c4544-0000-0000-0000-00000000beef", own.Host.Name, c.others, own.ScannedAt.Add(time.Hour))
			}
			writeRecords(t, path, c.prefix, append(planted, recs...))
			tonight := n.run(editedSnapshot(t, n.snaps, "night.json", 3, nil, nil))
			recs, st := readHistoryFile(t, path)
			if len(recs) != 4 || st.Corrupt != 0 || !recs[3].ScannedAt.Equal(tonight.ScannedAt) {
				t.Fatalf("the share's history holds %d records (%+v); want this machine's 4", len(recs), st)
			}
			for _, r := range recs {
				if !strings.EqualFold(r.HostID, own.Host.ID) || r.Sig == "" {
					t.Errorf("a record of %s, signature %q, kept", r.HostID, r.Sig)
				}
			}
			if strings.Contains(n.stderr, "bound") || strings.Contains(n.stderr, "true") {
				t.Errorf("stderr in developer's words: %q", n.stderr)
			}
		})
	}
}

// The first run that keeps the history locally (after an upgrade) takes
// from the share's file only this machine's records signed with its key.
func TestNightlyHistorySeedsOnlyThisMachinesSignedRecords(t *testing.T) {
	n := newNightly(t)
	var own *report.Report
	for day := range 2 {
		own = n.run(editedSnapshot(t, n.snaps, "night.json", day, nil, nil))
	}
	path, recs, _ := n.shareHistory(own)
	forged := plantedRecords(own, own.Host.ID, own.Host.Name, 5, own.ScannedAt.Add(time.Hour))
	writeRecords(t, path, nil, append(recs, forged...))
	if err := os.Remove(filepath.Join(n.state, schedule.LocalHistoryFile)); err != nil {
		t.Fatal(err)
	}
	n.run(editedSnapshot(t, n.snaps, "night.json", 2, nil, nil))
	local, _ := readHistoryFile(t, filepath.Join(n.state, schedule.LocalHistoryFile))
	if len(local) != 3 {
		t.Errorf("the local history holds %d records; want the 2 signed ones and tonight's", len(local))
	}
	if !strings.Contains(n.stderr, "Took 2 records of this machine from the share's history; left out 5") {
		t.Errorf("stderr %q", n.stderr)
	}
}

// A history the run cannot write (a link planted at the file) hides
// neither the outcome event nor event 104: they are written, then event
// 202 says what happened to the history.
func TestNightlyHistoryFailureHidesNothing(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need a privilege on Windows; the events go to the Event Log")
	}
	n := newNightly(t)
	first := n.run(editedSnapshot(t, n.snaps, "night1.json", 0, nil, nil))
	path, _, _ := n.shareHistory(first)
	os.Remove(path)
	target := filepath.Join(tempDir(t), "elsewhere")
	os.WriteFile(target, []byte("keep"), 0o644)
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	n.run(editedSnapshot(t, n.snaps, "night2.json", 1, firewallOff, nil))
	lines := strings.Split(strings.TrimSpace(n.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "event 10") || !strings.HasPrefix(lines[1], "event 104: ") ||
		!strings.HasPrefix(lines[2], "event 202: ") || !strings.Contains(lines[2], path) || !strings.Contains(lines[2], "not a regular file") {
		t.Errorf("events %q; want the outcome event, 104, then 202 naming the link", lines)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target now holds %q", b)
	}
	if local, _ := readHistoryFile(t, filepath.Join(n.state, schedule.LocalHistoryFile)); len(local) != 2 {
		t.Errorf("the local history holds %d records, want 2", len(local))
	}
}

// Event 104 compares with the state folder's copy of the previous result,
// so deleting or replacing HOST.json in the share cannot silence it, and a
// renamed PC's first run under its new name still compares.
func TestNightlyRegressionComparesWithTheLocalCopy(t *testing.T) {
	for _, c := range []struct {
		name  string
		plant func(t *testing.T, n *nightly, path string)
		host  func(*probe.HostInfo)
	}{
		{"HOST.json deleted", func(t *testing.T, n *nightly, path string) { os.Remove(path) }, nil},
		{"HOST.json replaced by another machine's", func(t *testing.T, n *nightly, path string) {
			runArgs(t, "schedule", "run", "--from", editedSnapshot(t, n.snaps, "other.json", 0, firewallOff,
				func(h *probe.HostInfo) { h.HostID = "4c4c4544-0000-0000-0000-00000000beef" }), "--results-dir", n.results, "--state-dir", tempDir(t), "--keep", "0")
		}, nil},
		{"renamed", func(t *testing.T, n *nightly, path string) {}, func(h *probe.HostInfo) { h.Hostname = "GP-RECEPTION-02" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := newNightly(t)
			n.run(editedSnapshot(t, n.snaps, "night1.json", 0, nil, nil))
			c.plant(t, n, filepath.Join(n.results, "GP-RECEPTION-01.json"))
			code, out, errOut := runArgs(t, "schedule", "run", "--from", editedSnapshot(t, n.snaps, "night2.json", 1, firewallOff, c.host),
				"--results-dir", n.results, "--state-dir", n.state, "--keep", "2")
			if code == exitError {
				t.Fatal(errOut)
			}
			if runtime.GOOS != "windows" && !strings.Contains(out, "event 104: ") || !strings.Contains(out, "regressed: firewall-on") && runtime.GOOS != "windows" {
				t.Errorf("events %q; want 104 naming firewall-on", out)
			}
		})
	}
}

// A clock gone backwards: event 104 says the previous scan is later.
func TestNightlyRegressionSaysTheClockWentBackwards(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the events go to the Event Log")
	}
	n := newNightly(t)
	n.run(editedSnapshot(t, n.snaps, "night1.json", 1, nil, nil))
	n.run(editedSnapshot(t, n.snaps, "night2.json", 0, firewallOff, nil))
	if !strings.Contains(n.stdout, "event 104: ") || !strings.Contains(n.stdout, "the clock went backwards") {
		t.Errorf("events %q; want 104 saying the clock went backwards", n.stdout)
	}
}

// fleet --trend over a share where someone planted, in a file of another
// name, an all-fail then all-pass pair for a pinned PC with later times
// and a forged host name: they are not counted, and are listed.
func TestNightlyTrendRefusesForgedRecords(t *testing.T) {
	n := newNightly(t)
	own := n.run(editedSnapshot(t, n.snaps, "night1.json", 0, nil, nil))
	trust := filepath.Join(tempDir(t), "trust.json")
	if code, _, errOut := runArgs(t, "fleet", n.results, "--now", "2026-11-27", "--trust", trust, "--trust-new"); code == exitError {
		t.Fatal(errOut)
	}
	pair := plantedRecords(own, own.Host.ID, own.Host.Name, 2, own.ScannedAt.Add(48*time.Hour))
	for id := range pair[0].Checks {
		pair[0].Checks[id], pair[1].Checks[id] = standards.Fail, standards.Pass
	}
	pair[0].Sig = own.Host.ID // anything that is not this machine's signature
	pair[1].HostName = "PC-FORGED"
	writeRecords(t, filepath.Join(n.results, schedule.HistoryDir, "PC-Z"+history.Suffix), nil, pair)
	code, out, errOut := runArgs(t, "fleet", n.results, "--trend", "-f", "json", "--now", "2026-11-27", "--trust", trust)
	if code == exitError {
		t.Fatal(errOut)
	}
	var doc struct {
		Records int `json:"runs_from_histories"`
		Full    int `json:"runs_from_full_results"`
		Forged  []struct {
			Path    string
			Records int
			Reason  string
		} `json:"forged_history_records"`
		Periods []struct {
			Fixed int `json:"hosts_fixed"`
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	forged := 0
	for _, f := range doc.Forged {
		forged += f.Records
		if !strings.HasSuffix(f.Path, "PC-Z"+history.Suffix) || f.Reason == "" {
			t.Errorf("forged records listed as %+v", f)
		}
	}
	if doc.Records+doc.Full != 1 || forged != 2 || doc.Periods[len(doc.Periods)-1].Fixed != 0 {
		t.Errorf("%d runs counted, %d forged listed, %+v; want 1, 2 and nothing fixed", doc.Records+doc.Full, forged, doc.Periods)
	}
}

// On Windows users can create files in a folder under ProgramData: what
// is planted in the state folder is not this machine's unless its key
// signed it. A result of this host ID signed with another key, later
// than the real one, is not taken as the previous result after a rename;
// unsigned records added to the local history are dropped.
func TestNightlyStateFolderTakesOnlyWhatThisMachineSigned(t *testing.T) {
	n := newNightly(t)
	first := n.run(editedSnapshot(t, n.snaps, "night1.json", 0, nil, nil))
	elsewhere := tempDir(t)
	if code, _, errOut := runArgs(t, "schedule", "run", "--from", editedSnapshot(t, n.snaps, "planted.json", 5, firewallOff, nil),
		"--results-dir", elsewhere, "--state-dir", tempDir(t), "--keep", "0"); code == exitError {
		t.Fatal(errOut)
	}
	planted, err := os.ReadFile(filepath.Join(elsewhere, "GP-RECEPTION-01.json"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(n.state, "ZZZ.json"), planted, 0o644)
	local := filepath.Join(n.state, schedule.LocalHistoryFile)
	recs, _ := readHistoryFile(t, local)
	writeRecords(t, local, nil, append(recs, plantedRecords(first, first.Host.ID, first.Host.Name, 3, first.ScannedAt.Add(time.Hour))...))

	code, out, errOut := runArgs(t, "schedule", "run", "--from", editedSnapshot(t, n.snaps, "night2.json", 1, firewallOff, func(h *probe.HostInfo) { h.Hostname = "GP-RECEPTION-02" }),
		"--results-dir", n.results, "--state-dir", n.state, "--keep", "2")
	if code == exitError {
		t.Fatal(errOut)
	}
	if runtime.GOOS != "windows" && (!strings.Contains(out, "event 104: ") || !strings.Contains(out, "regressed: firewall-on")) {
		t.Errorf("events %q; want 104 naming firewall-on, compared with the first night", out)
	}
	if recs, _ := readHistoryFile(t, local); len(recs) != 2 || !strings.Contains(errOut, "3 records of this machine's history") {
		t.Errorf("the local history holds %d records (want 2); stderr %q", len(recs), errOut)
	}
}

// A retired PC's signed history still counts up to its retirement: the
// trust store keeps its key to verify what it signed before.
func TestNightlyTrendCountsARetiredPCsSignedHistory(t *testing.T) {
	n := newNightly(t)
	first := n.run(editedSnapshot(t, n.snaps, "night1.json", 0, nil, nil))
	n.run(editedSnapshot(t, n.snaps, "night2.json", 1, nil, nil))
	n.state = tempDir(t) // another PC, with its own key, stays in use
	n.run(editedSnapshot(t, n.snaps, "other.json", 1, nil, func(h *probe.HostInfo) { h.Hostname, h.HostID = "GP-OTHER-02", "other-machine-id" }))
	trust := filepath.Join(tempDir(t), "trust.json")
	if code, _, errOut := runArgs(t, "fleet", n.results, "--now", "2026-11-27", "--trust", trust, "--trust-new"); code == exitError {
		t.Fatal(errOut)
	}
	counted := func() (runs, forged int) {
		t.Helper()
		_, out, errOut := runArgs(t, "fleet", n.results, "--trend", "-f", "json", "--now", "2026-11-27", "--trust", trust)
		var doc struct {
			Records int                     `json:"runs_from_histories"`
			Full    int                     `json:"runs_from_full_results"`
			Forged  []struct{ Records int } `json:"forged_history_records"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%v: %s %s", err, out, errOut)
		}
		for _, f := range doc.Forged {
			forged += f.Records
		}
		return doc.Records + doc.Full, forged
	}
	before, _ := counted()
	if before < 3 {
		t.Fatalf("%d runs counted before retiring, want the three nights", before)
	}
	if code, _, errOut := runArgs(t, "fleet", "--retire", first.Host.Name, "--now", "2026-11-27", "--trust", trust); code != exitOK {
		t.Fatalf("--retire: exit %d, %q", code, errOut)
	}
	if after, forged := counted(); after != before || forged != 0 {
		t.Errorf("after retiring: %d runs counted (%d before), %d records called forged", after, before, forged)
	}
}
