package fleet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// failingReport is the profile report with the most failing checks: the
// honest result a forger wants to hide.
func failingReport(t testing.TB) *report.Report {
	t.Helper()
	var worst *report.Report
	for _, rep := range profileReports(t) {
		if worst == nil || rep.Counts["fail"] > worst.Counts["fail"] {
			worst = rep
		}
	}
	if worst.Counts["fail"] < 4 || worst.Outcome != standards.NotMet {
		t.Fatalf("the worst profile fails %d checks, %s", worst.Counts["fail"], worst.Outcome)
	}
	return worst
}

// writeHost writes a result for name at time at, edited by edit.
func writeHost(t testing.TB, path, name string, at time.Time, edit func(doc map[string]any)) {
	t.Helper()
	doc := toMap(t, failingReport(t))
	host := doc["host"].(map[string]any)
	host["name"], host["id"] = name, "id-"+name
	doc["scanned_at"], doc["judged_at"] = at.Format(time.RFC3339), at.Format(time.RFC3339)
	if edit != nil {
		edit(doc)
	}
	writeJSON(t, path, doc)
}

// claimMet edits a result's own figures to say Standards Met, leaving its
// verdicts alone.
func claimMet(doc map[string]any) {
	doc["outcome"], doc["score"] = string(standards.Met), 100
	for _, s := range doc["standards"].([]any) {
		s.(map[string]any)["outcome"] = string(standards.Met)
	}
}

func skippedFor(roll *Rollup, path string) string {
	for _, s := range roll.Skipped {
		if s.Path == path {
			return s.Reason
		}
	}
	return ""
}

func onlyHost(t *testing.T, roll *Rollup) *Host {
	t.Helper()
	if len(roll.Hosts) != 1 {
		t.Fatalf("%d hosts, want 1", len(roll.Hosts))
	}
	return roll.Hosts[0]
}

// Attack: a file claiming another host's name, scanned in 2099 and Met,
// made that host Met for ever.
func TestAFutureDatedResultIsNeverNewest(t *testing.T) {
	dir := tempDir(t)
	writeHost(t, filepath.Join(dir, "PC-1.json"), "PC-1", genNow.Add(-time.Hour), nil)
	forged := filepath.Join(dir, "forged.json")
	writeHost(t, forged, "PC-1", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), func(doc map[string]any) {
		for _, r := range doc["results"].([]any) {
			r.(map[string]any)["status"] = "pass"
		}
		claimMet(doc)
	})
	roll := rollUp(t, []string{dir}, false)
	h := onlyHost(t, roll)
	if h.File != filepath.Join(dir, "PC-1.json") || h.Outcome != standards.NotMet || roll.Outcome != standards.NotMet {
		t.Errorf("host from %s, %s; practice %s: the 2099 result won", filepath.Base(h.File), h.Outcome, roll.Outcome)
	}
	if reason := skippedFor(roll, forged); !strings.Contains(reason, "more than a day after") || !strings.Contains(reason, "2099-01-01") {
		t.Errorf("the forged file is skipped for %q", reason)
	}
	// A clock a few hours fast is still read.
	writeHost(t, forged, "PC-1", genNow.Add(3*time.Hour), nil)
	if h := onlyHost(t, rollUp(t, []string{dir}, false)); h.File != forged {
		t.Errorf("a result 3 hours ahead is not the newest: %s", h.File)
	}
}

// Attack: a result's outcome edited to Met over failing verdicts was
// believed by the roll-up.
func TestAClaimedOutcomeIsRecomputedFromTheVerdicts(t *testing.T) {
	dir := tempDir(t)
	honest := failingReport(t)
	writeHost(t, filepath.Join(dir, "PC-1.json"), "PC-1", genNow, claimMet)
	roll := rollUp(t, []string{dir}, false)
	h := onlyHost(t, roll)
	if h.Outcome != honest.Outcome || h.Score != *honest.Score || !h.Recounted || roll.Outcome != standards.NotMet || roll.Recounted != 1 {
		t.Errorf("host %s score %d recounted %v, practice %s: want the verdicts' %s, score %d", h.Outcome, h.Score, h.Recounted, roll.Outcome, honest.Outcome, *honest.Score)
	}
	for _, s := range honest.Standards {
		if got := h.StandardOutcome(s.Number); got != s.Outcome {
			t.Errorf("standard %d: %s, want %s", s.Number, got, s.Outcome)
		}
	}
	if note := h.Note(); !strings.Contains(note, `claims "Standards Met" (score 100)`) || !strings.Contains(note, string(honest.Outcome)) {
		t.Errorf("the host's note does not say what the file claimed: %q", note)
	}
	if fact := resultsFact(roll, ""); !strings.Contains(fact, "1 host's file claims an outcome or score its verdicts do not give") {
		t.Errorf("page 1 does not say a file was recounted: %q", fact)
	}
}

// Attack: the newest file supplied titles and severities for the whole
// practice (risky-ports became "Informational: ignore", low).
func TestTitlesAndSeveritiesComeFromThisBuildsCatalogue(t *testing.T) {
	dir := tempDir(t)
	writeHost(t, filepath.Join(dir, "PC-1.json"), "PC-1", genNow.Add(-time.Hour), nil)
	writeHost(t, filepath.Join(dir, "PC-2.json"), "PC-2", genNow, func(doc map[string]any) {
		for _, r := range doc["results"].([]any) {
			r := r.(map[string]any)
			r["title"], r["severity"] = "Informational: ignore", "low"
			r["mappings"] = map[string]any{"ndg": []any{}}
		}
	})
	roll := rollUp(t, []string{dir}, false)
	want := map[string]report.CheckResult{}
	for _, r := range failingReport(t).Results {
		want[r.ID] = r
	}
	for _, c := range roll.Checks {
		if w := want[c.ID]; c.Title != w.Title || c.Severity != w.Severity {
			t.Errorf("check %s: %q %s, want the catalogue's %q %s", c.ID, c.Title, c.Severity, w.Title, w.Severity)
		}
	}
	for _, h := range roll.Hosts {
		if h.Outcome != standards.NotMet || h.Worst != standards.Critical {
			t.Errorf("%s: %s, worst failing %s: the edited severities or mappings counted", h.Name, h.Outcome, h.Worst)
		}
	}
	if h := roll.Hosts[1]; !strings.Contains(h.Note(), "title or severity other than this build's catalogue") {
		t.Errorf("%s's note: %q", h.Name, h.Note())
	}
}

// Attack: "OUTCOME" appended to a result overrode "outcome" for
// encoding/json while jq still read the first.
func TestRepeatedAndWronglyCasedKeysAreSkipped(t *testing.T) {
	dir := tempDir(t)
	honest := filepath.Join(dir, "honest.json")
	writeHost(t, honest, "PC-0", genNow, nil)
	b, err := os.ReadFile(honest)
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.TrimSuffix(bytes.TrimSpace(b), []byte("}"))
	firstStatus := []byte(`"status":"`)
	planted := map[string]struct{ content, reason string }{
		"upper.json":  {string(body) + `,"OUTCOME":"Standards Met"}`, `key "OUTCOME" in the top-level object is not "outcome"`},
		"twice.json":  {string(body) + `,"outcome":"Standards Met"}`, `key "outcome" appears twice in the top-level object`},
		"nested.json": {string(bytes.Replace(b, firstStatus, []byte(`"Status":"pass","status":"`), 1)), `key "Status" in results is not "status"`},
		// encoding/json folds the long s (U+017F) to s.
		"long-s.json":    {string(bytes.Replace(b, firstStatus, []byte(`"\u017ftatus":"pass","status":"`), 1)), "key \"\u017ftatus\" in results is not \"status\""},
		"escaped.json":   {string(body) + `,"\u004fUTCOME":"Standards Met"}`, `key "OUTCOME"`},
		"host-name.json": {string(bytes.Replace(b, []byte(`"host":{`), []byte(`"host":{"name":"X",`), 1)), `key "name" appears twice in host`},
	}
	for name, p := range planted {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(p.content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	roll := rollUp(t, []string{dir}, false)
	for name, p := range planted {
		if reason := skippedFor(roll, filepath.Join(dir, name)); !strings.Contains(reason, p.reason) {
			t.Errorf("%s: skipped for %q, want %q", name, reason, p.reason)
		}
	}
	if h := onlyHost(t, roll); h.File != honest {
		t.Errorf("host from %s", h.File)
	}
}

// Attack: a sparse 8 GB .json exhausted memory in os.ReadFile.
func TestAHugeFileIsSkippedUnread(t *testing.T) {
	dir := tempDir(t)
	writeHost(t, filepath.Join(dir, "PC-1.json"), "PC-1", genNow, nil)
	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	err = f.Truncate(8 << 30)
	f.Close()
	if err != nil {
		t.Skipf("no sparse files here: %v", err)
	}
	roll := rollUp(t, []string{dir, huge}, false)
	want := fmt.Sprintf("larger than %d MB", MaxResultSize>>20)
	if n := strings.Count(fmt.Sprint(roll.Skipped), want); n != 2 {
		t.Errorf("the 8 GB file (in the folder and named) is skipped %d times saying %q: %v", n, want, roll.Skipped)
	}
	if len(roll.Hosts) != 1 {
		t.Errorf("%d hosts", len(roll.Hosts))
	}
}

// Attack: 4,000 made-up check IDs became 4,000 columns and took 18 s in
// the workbook.
func TestMadeUpCheckIDsAreCountedNotTallied(t *testing.T) {
	dir := tempDir(t)
	writeHost(t, filepath.Join(dir, "PC-1.json"), "PC-1", genNow, nil)
	writeHost(t, filepath.Join(dir, "PC-2.json"), "PC-2", genNow, madeUpChecks(4000, "fail"))
	roll := rollUp(t, []string{dir}, false)
	if len(roll.Checks) != len(failingReport(t).Results) || roll.UnknownChecks != 1 {
		t.Fatalf("%d checks tallied, %d hosts with unknown checks", len(roll.Checks), roll.UnknownChecks)
	}
	for _, c := range roll.Checks {
		if !report.Known(c.ID) {
			t.Errorf("check %q tallied", c.ID)
		}
	}
	a, b := roll.Hosts[0], roll.Hosts[1]
	if a.Outcome != b.Outcome || a.Score != b.Score || a.Failing != b.Failing {
		t.Errorf("made-up failing checks changed a host: %s %d %d vs %s %d %d", a.Outcome, a.Score, a.Failing, b.Outcome, b.Score, b.Failing)
	}
	if h := roll.Hosts[1]; h.UnknownChecks != 4000 || !strings.Contains(h.Note(), "4000 results of checks not in this build's catalogue left out") {
		t.Errorf("%s: %d unknown, note %q", h.Name, h.UnknownChecks, h.Note())
	}
	if fact := resultsFact(roll, ""); !strings.Contains(fact, "1 host's newest result has verdicts on checks this build does not know") {
		t.Errorf("page 1 does not say so: %q", fact)
	}
}

func madeUpChecks(n int, status string) func(map[string]any) {
	return func(doc map[string]any) {
		results := doc["results"].([]any)
		for i := range n {
			results = append(results, map[string]any{"id": fmt.Sprintf("made-up-%05d", i), "title": "x", "status": status, "severity": "critical"})
		}
		doc["results"] = results
	}
}

// Attack: "counts":"x" was accepted by the roll-up, then aborted the OCSF
// pass that reads each newest result again.
func TestOCSFReadsWhatTheRollupAccepted(t *testing.T) {
	dir := tempDir(t)
	writeHost(t, filepath.Join(dir, "PC-1.json"), "PC-1", genNow, nil)
	bad := filepath.Join(dir, "PC-2.json")
	writeHost(t, bad, "PC-2", genNow, func(doc map[string]any) { doc["counts"] = "x" })
	changed := filepath.Join(dir, "PC-3.json")
	writeHost(t, changed, "PC-3", genNow, nil)
	roll := rollUp(t, []string{dir}, false)
	if reason := skippedFor(roll, bad); !strings.Contains(reason, "counts") || len(roll.Hosts) != 2 {
		t.Fatalf("%d hosts; the file with counts \"x\" is skipped for %q", len(roll.Hosts), reason)
	}
	// PC-3 rewrites its result between the roll-up and the OCSF pass.
	writeHost(t, changed, "PC-3", genNow.Add(time.Minute), nil)
	events := write(t, "ocsf", roll)
	hosts := map[string]int{}
	for line := range strings.Lines(string(events)) {
		var e struct {
			Device struct {
				Hostname string `json:"hostname"`
			} `json:"device"`
			Unmapped struct {
				Outcome standards.Outcome `json:"dspt_outcome"`
			} `json:"unmapped"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		hosts[e.Device.Hostname]++
	}
	if hosts["PC-1"] != len(failingReport(t).Results) || len(hosts) != 1 {
		t.Errorf("OCSF events by host: %v", hosts)
	}
	if reason := skippedFor(roll, changed); !strings.Contains(reason, "changed since the roll-up read it") {
		t.Errorf("the changed file is listed for %q", reason)
	}
}

// BenchmarkMadeUpCheckIDs rolls up 20 hosts, one with 4,000 made-up check
// IDs, and writes the workbook (18 s before they were left out).
func BenchmarkMadeUpCheckIDs(b *testing.B) {
	dir := tempDir(b)
	for i := range 20 {
		var edit func(map[string]any)
		if i == 0 {
			edit = madeUpChecks(4000, "fail")
		}
		writeHost(b, filepath.Join(dir, fmt.Sprintf("PC-%d.json", i)), fmt.Sprintf("PC-%d", i), genNow, edit)
	}
	xlsx, _ := report.LookupFormat(Formats(), "xlsx")
	for b.Loop() {
		roll := rollUp(b, []string{dir}, false)
		if err := xlsx.Write(io.Discard, roll); err != nil {
			b.Fatal(err)
		}
	}
}
