package fleet

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// builtInData is the built-in data, decoded once for the package's tests
// (each standards.Load decodes every embedded file afresh, a second's work
// under -race); nothing the tests call changes it.
var builtInData = sync.OnceValues(func() (*standards.Data, error) { return standards.Load() })

func ndgStandards(t testing.TB) []standards.Standard {
	t.Helper()
	data, err := builtInData()
	if err != nil {
		t.Fatal(err)
	}
	return slices.Clone(data.NDG.Standards)
}

func rollUp(t testing.TB, paths []string, recursive bool) *Rollup {
	t.Helper()
	roll, err := Read(context.Background(), paths, Options{
		Tool: report.Tool{Name: "dspt-audit", Version: "test"}, Now: genNow, Recursive: recursive, Standards: ndgStandards(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	return roll
}

// TestRollupMatchesAnIndependentCount rolls up a generated share of over a
// thousand files (current and first-version results, older copies, a
// second share, cloned names, corrupt and foreign files) and compares every
// figure with a count made from the generator's own record of what it wrote.
// Speed at scale is BenchmarkRollup's. Under -race the share has 200 hosts
// (every kind of file the generator writes is still there).
func TestRollupMatchesAnIndependentCount(t *testing.T) {
	t.Parallel()
	n := 1000
	if testing.Short() || underRace(t) {
		n = 200
	}
	dir := tempDir(t)
	sh := generateShare(t, dir, n)
	roll := rollUp(t, []string{dir}, true)

	if roll.ResultsRead != sh.results || roll.Superseded != sh.superseded || len(roll.Hosts) != len(sh.newest) {
		t.Fatalf("read %d results, %d superseded, %d hosts; wrote %d results, %d superseded, %d hosts",
			roll.ResultsRead, roll.Superseded, len(roll.Hosts), sh.results, sh.superseded, len(sh.newest))
	}
	assertHosts(t, roll, sh)
	assertChecks(t, roll, sh)
	assertStandards(t, roll, sh)
	assertSkipped(t, roll, sh)
	if roll.FilesSeen != sh.results+len(sh.skipped) {
		t.Errorf("FilesSeen = %d, want %d", roll.FilesSeen, sh.results+len(sh.skipped))
	}

	// Without --recursive the history/ folder is not read: fewer results,
	// the same newest per host (history only holds older copies).
	flat := rollUp(t, sh.dirs, false)
	if flat.ResultsRead != sh.results-sh.history || len(flat.Hosts) != len(sh.newest) {
		t.Errorf("non-recursive: %d results, %d hosts; want %d, %d", flat.ResultsRead, len(flat.Hosts), sh.results-sh.history, len(sh.newest))
	}
}

func assertHosts(t *testing.T, roll *Rollup, sh *share) {
	t.Helper()
	stale, shared := 0, 0
	for _, h := range roll.Hosts {
		w := sh.newest[strings.ToLower(h.Name)]
		if w == nil {
			t.Fatalf("host %q was never written", h.Name)
		}
		failing := 0
		for _, s := range w.statuses {
			if s == "fail" {
				failing++
			}
		}
		wantStale := genNow.Sub(w.scannedAt) > DefaultStaleAfter
		if !h.ScannedAt.Equal(w.scannedAt) || string(h.Outcome) != w.outcome || h.File != w.file || h.Failing != failing || h.Stale != wantStale {
			t.Errorf("host %s: %s %s %s failing %d stale %v; want %s %s %s failing %d stale %v",
				h.Name, h.ScannedAt, h.Outcome, filepath.Base(h.File), h.Failing, h.Stale,
				w.scannedAt, w.outcome, filepath.Base(w.file), failing, wantStale)
		}
		if h.SharedName != sh.sharedName[strings.ToLower(h.Name)] {
			t.Errorf("host %s: SharedName = %v", h.Name, h.SharedName)
		}
		if h.Stale {
			stale++
		}
		if h.SharedName {
			shared++
		}
	}
	if stale == 0 || shared == 0 || stale != roll.Stale() {
		t.Errorf("stale hosts %d (Rollup.Stale %d), shared names %d: the share was generated with both", stale, roll.Stale(), shared)
	}
	if !slices.IsSortedFunc(roll.Hosts, compareHosts) || roll.Hosts[0].Outcome != standards.NotMet {
		t.Errorf("hosts are not worst first: first is %s %s", roll.Hosts[0].Name, roll.Hosts[0].Outcome)
	}
}

func assertChecks(t *testing.T, roll *Rollup, sh *share) {
	t.Helper()
	want := map[string]map[string]int{}
	for _, w := range sh.newest {
		for id, s := range w.statuses {
			if want[id] == nil {
				want[id] = map[string]int{}
			}
			want[id][s]++
		}
	}
	if len(roll.Checks) != len(want) {
		t.Errorf("%d checks tallied, want %d", len(roll.Checks), len(want))
	}
	for _, c := range roll.Checks {
		for s := standards.Unknown; s <= standards.NeedsAdmin; s++ {
			if got := c.Count(s); got != want[c.ID][s.String()] {
				t.Errorf("check %s: %d hosts %s, want %d", c.ID, got, s, want[c.ID][s.String()])
			}
		}
		applicable := 0
		for s, n := range want[c.ID] {
			if s != "not_applicable" {
				applicable += n
			}
		}
		wantShare := -1.0
		if applicable > 0 {
			wantShare = float64(want[c.ID]["fail"]) / float64(applicable)
		}
		if c.Applicable() != applicable || c.FailingShare() != wantShare {
			t.Errorf("check %s: applies to %d hosts, failing share %v; want %d, %v", c.ID, c.Applicable(), c.FailingShare(), applicable, wantShare)
		}
	}
	for i := 1; i < len(roll.Checks); i++ {
		if roll.Checks[i].Count(standards.Fail) > roll.Checks[i-1].Count(standards.Fail) {
			t.Errorf("checks not worst first: %s fails on %d hosts after %s on %d", roll.Checks[i].ID, roll.Checks[i].Count(standards.Fail), roll.Checks[i-1].ID, roll.Checks[i-1].Count(standards.Fail))
		}
	}
}

func assertStandards(t *testing.T, roll *Rollup, sh *share) {
	t.Helper()
	var outcomes []standards.Outcome
	for _, s := range roll.Standards {
		assessed, met, notMet, staleMet := 0, 0, 0, 0
		for _, w := range sh.newest {
			switch w.standards[s.Number] {
			case string(standards.Met):
				met++
				if genNow.Sub(w.scannedAt) > DefaultStaleAfter {
					staleMet++
				}
			case string(standards.NotMet):
				notMet++
			case string(standards.Approaching):
			default:
				continue
			}
			assessed++
		}
		want := standards.Approaching
		switch {
		case assessed == 0:
			want = standards.NotAssessed
		case notMet > 0:
			want = standards.NotMet
		case met == assessed && staleMet == 0:
			want = standards.Met
		}
		if s.Assessed != assessed || s.Met != met || s.NotMet != notMet || s.StaleMet != staleMet || s.Outcome != want {
			t.Errorf("standard %d: assessed %d met %d not met %d stale met %d %s; want %d %d %d %d %s",
				s.Number, s.Assessed, s.Met, s.NotMet, s.StaleMet, s.Outcome, assessed, met, notMet, staleMet, want)
		}
		if assessed > 0 && s.Share() != float64(met-staleMet)/float64(assessed) {
			t.Errorf("standard %d: share meeting %v, want %d current of %d", s.Number, s.Share(), met-staleMet, assessed)
		}
		if s.NotMet > 0 && len(s.NotMetHosts) != min(s.NotMet, MaxNamed) {
			t.Errorf("standard %d names %d of %d hosts not meeting it", s.Number, len(s.NotMetHosts), s.NotMet)
		}
		outcomes = append(outcomes, want)
	}
	if roll.Outcome != standards.Overall(outcomes) || roll.Outcome != standards.NotMet {
		t.Errorf("practice outcome %s, want %s", roll.Outcome, standards.Overall(outcomes))
	}
}

func assertSkipped(t *testing.T, roll *Rollup, sh *share) {
	t.Helper()
	got := map[string]string{}
	for _, s := range roll.Skipped {
		got[filepath.Base(s.Path)] = s.Reason
	}
	for name, reason := range sh.skipped {
		if !strings.Contains(got[name], reason) {
			t.Errorf("%s: skipped for %q, want a reason saying %q", name, got[name], reason)
		}
	}
	if len(got) != len(sh.skipped) {
		t.Errorf("skipped %d files, planted %d: %v", len(got), len(sh.skipped), got)
	}
}

func TestReadRefusesAMissingFolder(t *testing.T) {
	_, err := Read(context.Background(), []string{filepath.Join(tempDir(t), "nowhere")}, Options{})
	if err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Fatalf("err = %v, want one naming the folder", err)
	}
}

// TestRollupIsTheSameHoweverTheWorkIsSplit guards the ordered pipeline: one
// worker and many must give the same hosts, files and skipped list.
func TestRollupIsTheSameHoweverTheWorkIsSplit(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	generateShare(t, dir, 200)
	var want []string
	for _, workers := range []int{1, 2, 7} {
		roll, err := Read(context.Background(), []string{dir}, Options{Now: genNow, Recursive: true, Standards: ndgStandards(t), Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range roll.Hosts {
			got = append(got, h.Name+" "+h.File)
		}
		for _, s := range roll.Skipped {
			got = append(got, s.Path)
		}
		if want == nil {
			want = got
		} else if !slices.Equal(got, want) {
			t.Fatalf("%d workers gave a different roll-up", workers)
		}
	}
}
