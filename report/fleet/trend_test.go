package fleet

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/history"
	"github.com/nhs-dspt/dspt-audit/report/sign"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// trendNow is the moment the generated year is cut into periods.
var trendNow = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// The generated year's controlled changes.
var (
	patchedOn   = time.Date(2026, 7, 14, 0, 0, 0, 0, time.UTC)  // GP-RECEPTION-1 patched
	regressedOn = time.Date(2026, 9, 3, 0, 0, 0, 0, time.UTC)   // GP-ADMIN-2's firewall turned off
	replacedOn  = time.Date(2026, 5, 11, 0, 0, 0, 0, time.UTC)  // GP-RECEPTION-2 replaced (new host ID)
	renamedOn   = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)   // OLD-NAME renamed GP-NURSE-1
	silentFrom  = time.Date(2026, 10, 16, 0, 0, 0, 0, time.UTC) // GP-SPARE-4 stops reporting
	gapMonth    = time.March                                    // GP-LAB-5 reports nothing in March
	newFailOn   = time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)  // GP-PC-08: firewall-on unknown, then failing
	unknownOn   = time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)  // GP-PC-09: firewall-on passing, then unknown
	redFixedOn  = time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)  // the PC with control characters in its name: firewall-on fixed
)

// genRun is what the generator knows of one run it wrote, from the JSON of
// the result: the independent side of the comparison.
type genRun struct {
	at        time.Time
	name      string
	statuses  map[string]standards.Status
	standards map[int]standards.Outcome
}

// genHost is one machine's series, as the generator made it.
type genHost struct {
	id   string
	runs []genRun
	// ends is set for the machine that was replaced.
	ends bool
}

// yearShare writes 20 machines x 365 days of nightly runs into dir: each
// machine's compact history, HOST.json and the last 7 full copies in
// history/HOST/; one machine has only full copies (an older install) for
// its last 30 days. It returns what it wrote, by host ID.
func yearShare(t testing.TB, dir string) map[string]*genHost {
	t.Helper()
	bases := profileReports(t)
	ndg := ndgStandards(t)
	hosts := map[string]*genHost{}
	first := trendNow.AddDate(0, 0, -365)
	files := map[string][]history.Record{} // history file name -> records
	newest := map[string][]byte{}          // HOST.json name -> the last result written
	judged := map[string]*report.Report{}  // judged once per profile and controlled state
	for i := range 20 {
		for day := range 365 {
			at := time.Date(first.Year(), first.Month(), first.Day()+day, 2, i, 0, 0, time.UTC)
			name, id, base := machineOn(i, at, bases)
			if name == "" {
				continue
			}
			key := fmt.Sprintf("%p %d %t %t %t %t %t", base, i, !at.Before(patchedOn), !at.Before(regressedOn), !at.Before(newFailOn), !at.Before(unknownOn), !at.Before(redFixedOn))
			cached := judged[key]
			if cached == nil {
				cached = cloneReport(t, base)
				controlledChanges(cached, i, at)
				if _, err := report.Rescore(cached, ndg); err != nil {
					t.Fatal(err)
				}
				judged[key] = cached
			}
			rep := *cached
			rep.Host.Name, rep.Host.ID, rep.ScannedAt, rep.JudgedAt = name, id, at, at
			g := hosts[id]
			if g == nil && (i != 6 || day >= 335) {
				g = &genHost{id: id, ends: i == 2 && at.Before(replacedOn)}
				hosts[id] = g
			}
			if i != 6 || day >= 335 {
				g.runs = append(g.runs, genRunOf(&rep))
			}
			hostFile := strings.TrimSuffix(fileName(name), ".json")
			fullCopy := i == 6 && day >= 335 || i != 6 && day >= 358
			var body []byte
			if fullCopy || day == 364 || i == 3 && at.Before(renamedOn) && !at.AddDate(0, 0, 1).Before(renamedOn) || i == 2 && !at.AddDate(0, 0, 1).Before(replacedOn) && at.Before(replacedOn) {
				body = mustJSON(t, &rep)
				newest[fileName(name)] = body
			}
			if fullCopy {
				writeFile(t, filepath.Join(dir, "history", hostFile, at.Format("20060102T150405Z")+".json"), body)
			}
			if i != 6 {
				sum := sha256.Sum256(body)
				if body == nil {
					sum = sha256.Sum256([]byte(fmt.Sprint(id, at))) // a result the generator did not keep
				}
				files[hostFile] = append(files[hostFile], history.FromReport(&rep, hex.EncodeToString(sum[:])))
			}
		}
	}
	for name, body := range newest {
		writeFile(t, filepath.Join(dir, name), body)
	}
	for name, recs := range files {
		var b bytes.Buffer
		if err := history.Write(&b, recs); err != nil {
			t.Fatal(err)
		}
		content := b.Bytes()
		if name == "GP-LAB-5" { // a line cut short by a failed copy, mid-file
			cut := bytes.IndexByte(content, '\n') + 1
			content = slices.Concat(content[:cut], []byte(`{"v":1,"scanned_at":"2026-`+"\n"), content[cut:])
		}
		writeFile(t, filepath.Join(dir, "history", name+history.Suffix), content)
	}
	return hosts
}

// genRunOf is what the generator knows of a run it made.
func genRunOf(rep *report.Report) genRun {
	g := genRun{at: rep.ScannedAt, name: rep.Host.Name, statuses: map[string]standards.Status{}, standards: map[int]standards.Outcome{}}
	for _, s := range rep.Standards {
		g.standards[s.Number] = cmpOr(s.MachineOutcome, s.Outcome)
	}
	for _, r := range rep.Results {
		g.statuses[r.ID] = r.Status
	}
	return g
}

func cmpOr(a, b standards.Outcome) standards.Outcome {
	if a != "" {
		return a
	}
	return b
}

func fileName(host string) string {
	var b strings.Builder
	for _, c := range []byte(host) {
		if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String() + ".json"
}

// machineOn is machine i's name, host ID and profile on a day; "" when it
// did not run.
func machineOn(i int, at time.Time, bases []*report.Report) (name, id string, base *report.Report) {
	name, id, base = fmt.Sprintf("GP-PC-%02d", i), fmt.Sprintf("id-%02d", i), bases[i%len(bases)]
	switch i {
	case 0:
		name, base = "GP-RECEPTION-1", profileNamed(bases, "GP-RECEPTION-1")
	case 1:
		name = "GP-ADMIN-2"
	case 2:
		name = "GP-RECEPTION-2"
		if !at.Before(replacedOn) {
			id, base = "id-02-new", bases[(i+5)%len(bases)]
		}
	case 3:
		name = "GP-NURSE-1"
		if at.Before(renamedOn) {
			name = "OLD-NAME"
		}
	case 4:
		name = "GP-SPARE-4"
		if !at.Before(silentFrom) {
			return "", "", nil
		}
	case 5:
		name = "GP-LAB-5"
		if at.Month() == gapMonth {
			return "", "", nil
		}
	case 7:
		name = "GP-\x1b[31mRED\u202e-7"
	}
	return name, id, base
}

// profileNamed is a Windows profile whose result has patches-current, to
// patch; the name only picks one deterministically.
func profileNamed(bases []*report.Report, _ string) *report.Report {
	for _, b := range bases {
		if b.Host.Platform == checks.Windows && hasCheck(b, "patches-current") && hasCheck(b, "firewall-on") {
			return b
		}
	}
	return bases[0]
}

func hasCheck(r *report.Report, id string) bool {
	return slices.ContainsFunc(r.Results, func(c report.CheckResult) bool { return c.ID == id })
}

// controlledChanges makes the year's known changes on machine i.
func controlledChanges(rep *report.Report, i int, at time.Time) {
	set := func(id string, s standards.Status) {
		for k := range rep.Results {
			if rep.Results[k].ID == id {
				rep.Results[k].Status = s
			}
		}
	}
	switch i {
	case 0:
		set("patches-current", standards.Fail)
		if !at.Before(patchedOn) {
			set("patches-current", standards.Pass)
		}
	case 1:
		set("firewall-on", standards.Pass)
		if !at.Before(regressedOn) {
			set("firewall-on", standards.Fail)
		}
	case 8:
		set("firewall-on", standards.Unknown)
		if !at.Before(newFailOn) {
			set("firewall-on", standards.Fail)
		}
	case 7:
		set("firewall-on", standards.Fail)
		if !at.Before(redFixedOn) {
			set("firewall-on", standards.Pass)
		}
	case 9:
		set("firewall-on", standards.Pass)
		if !at.Before(unknownOn) {
			set("firewall-on", standards.Unknown)
		}
	}
}

func cloneReport(t testing.TB, r *report.Report) *report.Report {
	var c report.Report
	if err := json.Unmarshal(mustJSON(t, r), &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// expected is the trend worked out from what the generator wrote, without
// the code under test: one period's figures.
type expected struct {
	label            string
	hosts, reporting int
	outcome          standards.Outcome
	met, assessed    map[int]int
	fixed, regressed []string
	stdOutcome       map[int]standards.Outcome
	start, end       time.Time
}

// expectPeriods works the trend out by months (weeks: false) or by weeks
// starting on Monday.
func expectPeriods(hosts map[string]*genHost, weeks bool) []expected {
	var out []expected
	first := trendNow.AddDate(0, 0, -365)
	start, step, label := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC), func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }, "2006-01"
	if weeks {
		start = time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, time.UTC)
		for start.Weekday() != time.Monday {
			start = start.AddDate(0, 0, -1)
		}
		step = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
	}
	for ; start.Before(trendNow); start = step(start) {
		end := step(start)
		e := expected{label: start.Format(label), start: start, end: end, met: map[int]int{}, assessed: map[int]int{}, stdOutcome: map[int]standards.Outcome{}}
		if weeks {
			y, w := start.ISOWeek()
			e.label = fmt.Sprintf("%d-W%02d", y, w)
		}
		notMet, approaching := map[int]bool{}, map[int]bool{}
		for _, g := range hosts {
			var last *genRun
			var prev []genRun
			for k := range g.runs {
				if g.runs[k].at.Before(end) {
					last = &g.runs[k]
					prev = g.runs[:k+1]
				}
			}
			if last == nil || g.ends && g.runs[len(g.runs)-1].at.Before(start) {
				continue
			}
			e.hosts++
			stale := last.at.Before(start)
			newest := g.runs[len(g.runs)-1].name
			if !stale {
				e.reporting++
				fixed, regressed := false, false
				for k := len(prev) - 1; k > 0 && !prev[k].at.Before(start); k-- {
					for id := range union(prev[k-1].statuses, prev[k].statuses) {
						b, hb := prev[k-1].statuses[id]
						a, ha := prev[k].statuses[id]
						c := standards.ClassifyChange(b, a, hb, ha)
						fixed = fixed || c == standards.Fixed || c == standards.Improved
						regressed = regressed || c == standards.Regressed || c == standards.NewFailure
					}
				}
				if fixed {
					e.fixed = append(e.fixed, newest)
				}
				if regressed {
					e.regressed = append(e.regressed, newest)
				}
			}
			for n, o := range last.standards {
				switch o {
				case standards.Met:
					e.assessed[n]++
					if !stale {
						e.met[n]++
					} else {
						approaching[n] = true
					}
				case standards.Approaching:
					e.assessed[n]++
					approaching[n] = true
				case standards.NotMet:
					e.assessed[n]++
					notMet[n] = true
				}
			}
		}
		practice, anyAssessed, allMet := standards.Outcome(""), false, true
		for n := 1; n <= 10; n++ {
			o := standards.NotAssessed
			switch {
			case e.assessed[n] == 0:
			case notMet[n]:
				o = standards.NotMet
				practice = standards.NotMet
			case approaching[n]:
				o = standards.Approaching
			default:
				o = standards.Met
			}
			e.stdOutcome[n] = o
			if o != standards.NotAssessed {
				anyAssessed = true
				allMet = allMet && o == standards.Met
			}
		}
		switch {
		case practice != "":
		case !anyAssessed:
			practice = standards.NotAssessed
		case allMet:
			practice = standards.Met
		default:
			practice = standards.Approaching
		}
		e.outcome = practice
		slices.SortFunc(e.fixed, compareNames)
		slices.SortFunc(e.regressed, compareNames)
		out = append(out, e)
	}
	return out
}

func union(a, b map[string]standards.Status) map[string]bool {
	u := map[string]bool{}
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

var (
	yearDir   string
	yearHosts map[string]*genHost
)

// generatedYear writes the year's share once per test binary.
func generatedYear(t testing.TB) (string, map[string]*genHost) {
	t.Helper()
	if yearDir == "" {
		dir, err := os.MkdirTemp("", "dspt-audit-trend-")
		if err != nil {
			t.Fatal(err)
		}
		yearHosts = yearShare(t, dir)
		yearDir = dir
	}
	return yearDir, yearHosts
}

func TestMain(m *testing.M) {
	code := m.Run()
	if yearDir != "" {
		os.RemoveAll(yearDir)
	}
	os.Exit(code)
}

var (
	yearTrendsMu sync.Mutex
	yearTrends   = map[string]*Trend{}
)

// readYear is the generated year's trend, read once per period and day
// per test binary (reading a year takes seconds under -race); each caller
// gets its own copy of the top level to change.
func readYear(t testing.TB, period Period, since time.Time) *Trend {
	t.Helper()
	yearTrendsMu.Lock()
	defer yearTrendsMu.Unlock()
	key := string(period) + since.String()
	if tr, ok := yearTrends[key]; ok {
		c := *tr
		return &c
	}
	dir, _ := generatedYear(t)
	tr, err := ReadTrend(context.Background(), []string{dir}, Options{Now: trendNow, Standards: ndgStandards(t)}, TrendOptions{Period: period, Since: since})
	if err != nil {
		t.Fatal(err)
	}
	yearTrends[key] = tr
	c := *tr
	return &c
}

func TestTrendMatchesAnIndependentCount(t *testing.T) {
	_, hosts := generatedYear(t)
	for _, period := range []Period{Month, Week} {
		t.Run(string(period), func(t *testing.T) {
			comparePeriods(t, readYear(t, period, time.Time{}).Periods, expectPeriods(hosts, period == Week))
		})
	}
	tr := readYear(t, Month, time.Time{})
	// 20 machines, one replaced: 21 series; one machine's first 335 days
	// were never recorded; the last 7 days of 19 machines are both in the
	// history and in full copies.
	runs := 0
	for _, g := range hosts {
		runs += len(g.runs)
	}
	if got := tr.Records + tr.FullResults; got != runs || tr.Corrupt != 1 {
		t.Errorf("%d runs counted (%d records, %d full results, %d duplicates, %d corrupt lines), want %d and 1 corrupt line",
			got, tr.Records, tr.FullResults, tr.Duplicates, tr.Corrupt, runs)
	}
}

func comparePeriods(t *testing.T, got []TrendPeriod, want []expected) {
	if len(got) != len(want) {
		t.Fatalf("%d periods, want %d", len(got), len(want))
	}
	for i, p := range got {
		e := want[i]
		t.Run(p.Label, func(t *testing.T) {
			if p.Label != e.label || p.Hosts != e.hosts || p.Reporting != e.reporting || p.Outcome != e.outcome {
				t.Errorf("%s: %d hosts, %d reporting, %s; want %s: %d, %d, %s", p.Label, p.Hosts, p.Reporting, p.Outcome, e.label, e.hosts, e.reporting, e.outcome)
			}
			for _, s := range p.Standards {
				if s.Met != e.met[s.Number] || s.Assessed != e.assessed[s.Number] || s.Outcome != e.stdOutcome[s.Number] {
					t.Errorf("standard %d: %d/%d %s, want %d/%d %s", s.Number, s.Met, s.Assessed, s.Outcome, e.met[s.Number], e.assessed[s.Number], e.stdOutcome[s.Number])
				}
			}
			if !slices.Equal(p.FixedHosts, e.fixed) || !slices.Equal(p.RegressedHosts, e.regressed) || p.Fixed != len(e.fixed) || p.Regressed != len(e.regressed) {
				t.Errorf("fixed %v, regressed %v; want %v, %v", p.FixedHosts, p.RegressedHosts, e.fixed, e.regressed)
			}
		})
	}
}

func TestTrendNamesTheKnownChanges(t *testing.T) {
	since := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	tr := readYear(t, Month, since)
	var lines []string
	for _, im := range tr.Improvements {
		if im.At.Before(since) {
			t.Errorf("%s is before --since", im)
		}
		lines = append(lines, im.String())
	}
	patched := "2026-07-14 GP-RECEPTION-1: patches-current fixed"
	if !slices.Contains(lines, patched) {
		t.Errorf("improvements %v do not list %q", lines, patched)
	}
	for _, l := range lines {
		if strings.Contains(l, "GP-ADMIN-2: firewall-on") || strings.ContainsAny(l, "\x1b\u202e") {
			t.Errorf("listed %q", l)
		}
	}
	if red := `2026-08-20 GP-\x1b[31mRED\u202e-7: firewall-on fixed`; !slices.Contains(lines, red) {
		t.Errorf("improvements %q do not list %q, control characters shown as escapes", lines, red)
	}
	byLabel := map[string]TrendPeriod{}
	for _, p := range tr.Periods {
		byLabel[p.Label] = p
	}
	if p := byLabel["2026-07"]; !slices.Contains(p.FixedHosts, "GP-RECEPTION-1") {
		t.Errorf("July's fixed hosts %v lack GP-RECEPTION-1", p.FixedHosts)
	}
	if p := byLabel["2026-09"]; !slices.Contains(p.RegressedHosts, "GP-ADMIN-2") {
		t.Errorf("September's regressed hosts %v lack GP-ADMIN-2", p.RegressedHosts)
	}
	if april, october := byLabel["2026-04"], byLabel["2026-10"]; !slices.Equal(april.RegressedHosts, []string{"GP-PC-08"}) || !slices.Equal(october.RegressedHosts, []string{"GP-PC-09"}) {
		t.Errorf("regressed in April %v (want GP-PC-08, newly failing), in October %v (want GP-PC-09, no longer determined)", april.RegressedHosts, october.RegressedHosts)
	}
	// The renamed PC is one series under its newest name; the replaced one
	// is two, the old ending in May.
	for _, p := range tr.Periods {
		for _, names := range [][]string{p.FixedHosts, p.RegressedHosts} {
			if slices.Contains(names, "OLD-NAME") {
				t.Errorf("%s names the renamed PC by its old name", p.Label)
			}
		}
	}
	if may, june := byLabel["2026-05"], byLabel["2026-06"]; may.Hosts != 20 || june.Hosts != 19 || byLabel["2026-11"].Hosts != 20 || byLabel["2026-11"].Reporting != 19 {
		t.Errorf("hosts: May %d, June %d, November %d (%d reporting); want 20 (old and new GP-RECEPTION-2), 19, 20 with GP-SPARE-4 stale", may.Hosts, june.Hosts, byLabel["2026-11"].Hosts, byLabel["2026-11"].Reporting)
	}
}

func TestTrendWeeksCoverTheYear(t *testing.T) {
	tr := readYear(t, Week, time.Time{})
	if n := len(tr.Periods); n < 52 || n > 54 {
		t.Fatalf("%d weeks", n)
	}
	for i, p := range tr.Periods {
		if p.Start.Weekday() != time.Monday || p.End.Sub(p.Start) != 7*24*time.Hour || i > 0 && !p.Start.Equal(tr.Periods[i-1].End) {
			t.Errorf("week %s: %s to %s", p.Label, p.Start, p.End)
		}
	}
	if tr.Periods[len(tr.Periods)-1].Label != "2026-W48" {
		t.Errorf("last week %s, want 2026-W48 (27 November 2026)", tr.Periods[len(tr.Periods)-1].Label)
	}
}

// BenchmarkTrend reads 20 machines x 365 days of history (the compact
// histories, and the full copies the nightly task keeps) and cuts it into
// months. The share is kept in the system temp folder so that the binary
// can be timed on it too: dspt-audit fleet --trend DIR.
func BenchmarkTrend(b *testing.B) {
	dir := filepath.Join(os.TempDir(), "dspt-audit-bench-trend-year")
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err != nil {
		os.RemoveAll(dir)
		yearShare(b, dir)
		writeFile(b, filepath.Join(dir, ".complete"), nil)
	}
	ndg := ndgStandards(b)
	for _, period := range []Period{Month, Week} {
		b.Run(string(period), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ReadTrend(context.Background(), []string{dir}, Options{Now: trendNow, Standards: ndg}, TrendOptions{Period: period}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// With a trust store, a compact history record counts only when it claims
// a host the store pins (by host ID and name) and is signed with that
// host's pinned key: records planted in any history file, under any name,
// are not counted and are listed with the reason; a line claiming a scan
// in the future is skipped.
func TestTrendCountsHistoriesOnlyOfTrustedMachines(t *testing.T) {
	dir := tempDir(t)
	_, key, _ := ed25519.GenerateKey(nil)
	_, forger, _ := ed25519.GenerateKey(nil)
	rep := cloneReport(t, profileReports(t)[0])
	record := func(id, name string, day int, k ed25519.PrivateKey) history.Record {
		rep.Host.ID, rep.Host.Name, rep.ScannedAt = id, name, trendNow.AddDate(0, 0, day)
		sum := sha256.Sum256([]byte(id + name + rep.ScannedAt.String()))
		rec := history.FromReport(rep, hex.EncodeToString(sum[:]))
		if k != nil {
			if err := rec.Sign(k); err != nil {
				t.Fatal(err)
			}
		}
		return rec
	}
	own := []history.Record{record("id-pinned", "PC-A", -5, key), record("id-pinned", "PC-A", -4, key)}
	stranger := record("id-stranger", "PC-X", -3, key)
	future := record("id-pinned", "PC-A", 3, key)
	// The attack: an all-fail then all-pass pair for PC-A, later than its
	// own runs, in a file of another name.
	failing, passing := record("id-pinned", "PC-A", -2, forger), record("id-pinned", "PC-A", -1, forger)
	for id := range failing.Checks {
		failing.Checks[id], passing.Checks[id] = standards.Fail, standards.Pass
	}
	failing.Sign(forger)
	passing.Sign(forger)
	unsigned := record("id-pinned", "PC-A", -1, nil)
	altered := record("id-pinned", "PC-A", -1, key)
	altered.Outcome, altered.ResultSHA256 = standards.Met, strings.Repeat("a", 64)
	write := func(name string, recs ...history.Record) {
		var b bytes.Buffer
		if err := history.Write(&b, recs); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "history", name+history.Suffix), b.Bytes())
	}
	write("PC-A.id-pinned", append(own, future)...)
	write("PC-X", stranger)
	forgedName := record("id-pinned", "PC-FORGED", -1, forger)
	write("innocent-looking", failing, passing, unsigned, altered, forgedName)
	trust := NewTrust()
	pub := key.Public().(ed25519.PublicKey)
	trust.pin(Pin{HostID: "ID-PINNED", HostName: "PC-A", PublicKey: sign.EncodePublicKey(pub), KeyID: sign.KeyID(pub)})
	tr, err := ReadTrend(context.Background(), []string{dir}, Options{Now: trendNow, Standards: ndgStandards(t), Trust: trust}, TrendOptions{Since: trendNow.AddDate(0, 0, -30)})
	if err != nil {
		t.Fatal(err)
	}
	last := tr.Periods[len(tr.Periods)-1]
	if tr.Records != 2 || tr.Untrusted != 1 || tr.Corrupt != 0 || tr.Future != 1 || last.Hosts != 1 || tr.ForgedCount() != 5 {
		t.Errorf("%d records counted, %d untrusted, %d corrupt, %d future, %d forged, %d hosts; want 2, 1, 0, 1 (the future line), 5, 1",
			tr.Records, tr.Untrusted, tr.Corrupt, tr.Future, tr.ForgedCount(), last.Hosts)
	}
	if last.Fixed != 0 || len(tr.Improvements) != 0 {
		t.Errorf("the forged pair counted: %d fixed, improvements %v", last.Fixed, tr.Improvements)
	}
	reasons := map[string]int{}
	for _, f := range tr.Forged {
		if filepath.Base(f.Path) != "innocent-looking"+history.Suffix || f.HostID != "id-pinned" {
			t.Errorf("forged records listed as %+v", f)
		}
		reasons[strings.SplitN(f.Reason, ":", 2)[0]] += f.Records
	}
	if reasons["unsigned"] != 1 || len(reasons) != 3 || reasons["claims the host ID pinned for PC-A under another name, not signed with its key"] != 1 {
		t.Errorf("reasons %v; want 1 unsigned, 3 not signed with the pinned key, 1 under a forged name", reasons)
	}
	var text bytes.Buffer
	if err := TrendText(&text, tr, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "5 history records not counted: ") || !strings.Contains(text.String(), "forged or altered") {
		t.Errorf("the Read line does not list the forged records:\n%s", text.String())
	}
}

// A run claiming a time long past does not make years of empty periods.
func TestTrendReachesBackAtMostItsLength(t *testing.T) {
	runs := []run{
		{series: "id:a", id: "a", name: "PC", at: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), sha: "1"},
		{series: "id:a", id: "a", name: "PC", at: trendNow.Add(-time.Hour), sha: "2"},
	}
	var tr Trend
	tr.build(runs, ndgStandards(t), trendNow, TrendOptions{Period: Month})
	if n := len(tr.Periods); n < 13 || n > 15 {
		t.Errorf("%d monthly periods, want those of the last %d days", n, MaxTrendDays)
	}
	if last := tr.Periods[len(tr.Periods)-1]; last.Hosts != 1 || last.Reporting != 1 {
		t.Errorf("last period: %d hosts, %d reporting", last.Hosts, last.Reporting)
	}
}
