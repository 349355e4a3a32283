package fleet

import (
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/history"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// TrendKind marks the JSON trend.
const TrendKind = "dspt-audit fleet trend"

// TrendVersion is the version of the JSON trend: fields are only added
// within a version.
const TrendVersion = 1

// Period is the length of a trend's periods.
type Period string

// The periods a trend can be cut into.
const (
	Month Period = "month"
	Week  Period = "week"
)

// TrendRule says how the trend is counted, so a reader can check it.
const TrendRule = `Each machine (by host ID: a renamed PC is one series, shown under its newest name; a replaced PC with a new ID ` +
	`is a new series, and the old one ends at its last result) is judged in each period by its last result in the period, ` +
	`with this build's scoring of its verdicts. A machine with no result in a period, before it ends, is stale: it counts ` +
	`towards the hosts assessed and never as meeting. The practice outcome and each standard's share meeting follow the ` +
	`roll-up's rule on those results (the machines' own outcomes; the practice file's answers are not part of the trend). ` +
	`Fixed and regressed count machines, once each per period, with a check that got better or worse between two ` +
	`consecutive results, the later one in the period. A run is counted once, whether read from the compact history or a ` +
	`full copy (same result SHA-256, or same machine and scan time).`

// MaxTrendDays is how far back the trend's periods reach: the compact
// history's length.
const MaxTrendDays = history.KeepDays

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// TrendOptions say how to cut the history.
type TrendOptions struct {
	Period Period
	// Since is the first day of the improvements listed; zero: all.
	Since time.Time
}

// Trend is the practice's results over time.
type Trend struct {
	Period       Period
	Since        time.Time
	GeneratedAt  time.Time
	Standards    []standards.Standard
	Periods      []TrendPeriod
	Improvements []Improvement
	// What was read: runs counted, from the compact histories and from full
	// copies; Duplicates counted once; Corrupt history lines skipped (not
	// records); Future history records not counted, claiming a scan more
	// than a day after the trend's time; Untrusted runs not counted
	// (unsigned records of hosts the trust store does not pin, results not
	// signed by the pinned key), of which Altered are full results whose
	// signature does not match their bytes.
	Records, FullResults, Duplicates, Corrupt, Untrusted int
	Future, Altered                                      int
	Skipped                                              []Skipped
	// ends are the retired machines' series (fleet --retire): each ends
	// at its last result, never stale afterwards.
	ends map[string]time.Time
	// Forged are the history records claiming a pinned host whose
	// signature does not verify with the key pinned for it (unsigned,
	// forged or altered), by file, host and reason; not counted.
	Forged []ForgedRecords
}

// ForgedRecords are records of one history file, claiming one pinned
// host, not counted for one reason.
type ForgedRecords struct {
	Path     string `json:"path"`
	HostName string `json:"host"`
	HostID   string `json:"host_id,omitempty"`
	Records  int    `json:"records"`
	Reason   string `json:"reason"`
}

// TrendPeriod is one period's figures.
type TrendPeriod struct {
	Label      string
	Start, End time.Time
	// Hosts are the machines counted in the period; Reporting those with a
	// result in it (the others are stale).
	Hosts, Reporting int
	Outcome          standards.Outcome
	Standards        []StandardShare
	// Fixed and Regressed count machines; FixedHosts and RegressedHosts
	// name them (newest names).
	Fixed, Regressed           int
	FixedHosts, RegressedHosts []string
}

// StandardShare is one standard in one period.
type StandardShare struct {
	Number   int
	Assessed int
	Met      int // by a result in the period
	Outcome  standards.Outcome
}

// Share is the fraction of assessed machines meeting the standard, or -1
// when none assesses it.
func (s StandardShare) Share() float64 {
	if s.Assessed == 0 {
		return -1
	}
	return float64(s.Met) / float64(s.Assessed)
}

// Improvement is a check that got better on a machine.
type Improvement struct {
	At     time.Time
	Host   string // the machine's newest name
	HostID string
	Check  string
	Change standards.StatusChange
	// Repairs, when set, is when the same check regressed (or newly
	// failed) on the machine within the --since window: the improvement
	// undoes a break, it is not progress.
	Repairs time.Time
}

// ChangeText is the change in words: "fixed", or "fixed, after it
// regressed 2026-07-10" when it repairs a regression.
func (i Improvement) ChangeText() string {
	if i.Repairs.IsZero() {
		return i.Change.String()
	}
	return fmt.Sprintf("%s, after it regressed %s", i.Change, i.Repairs.UTC().Format(time.DateOnly))
}

// String is the improvement as a line: "2026-07-14 GP-RECEPTION-1: patches-current fixed".
func (i Improvement) String() string {
	return fmt.Sprintf("%s %s: %s %s", i.At.UTC().Format(time.DateOnly), report.Sanitize(i.Host), report.Sanitize(i.Check), i.ChangeText())
}

// run is one scan of one machine, as the trend needs it.
type run struct {
	series   string // history.Record.Identity
	id, name string
	at       time.Time
	sha      string
	outcomes [11]byte // outcomeCode by standard number
	checks   map[string]standards.Status
	// fromHistory: read from a compact history, not a full result.
	fromHistory bool
}

// ReadTrend reads every result and compact history under the paths
// (recursively: history/ is below the results folder) and cuts them into
// periods up to opts.Now.
func ReadTrend(ctx context.Context, paths []string, opts Options, topts TrendOptions) (*Trend, error) {
	files, histories, skipped, err := list(paths, true)
	if err != nil {
		return nil, err
	}
	now := cmp.Or(opts.Now, time.Now())
	rd := reader{ndg: opts.Standards, now: now}
	t := &Trend{Skipped: skipped}
	var runs []run
	sc := &scorer{ndg: opts.Standards}
	for _, res := range inOrder(ctx, len(files), opts.Workers, func(i int) decoded { return rd.decodeFile(files[i]) }) {
		switch {
		case res.result == nil:
			t.Skipped = append(t.Skipped, Skipped{res.path, res.reason})
		case opts.Trust != nil && !opts.Trust.countsInTrend(res.result):
			t.Untrusted++
			if res.result.altered() {
				t.Altered++
			}
		default:
			runs = append(runs, runOfResult(res.result))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var byID map[string]Pin
	if opts.Trust != nil {
		byID = opts.Trust.pinsByHostID()
	}
	for _, path := range histories {
		recs, reason := readHistory(path)
		if reason != "" {
			t.Skipped = append(t.Skipped, Skipped{path, reason})
		}
		for _, rec := range recs.records {
			if rec.ScannedAt.After(now.Add(FutureSlack)) {
				t.Future++ // a wrong clock or a forged line
				continue
			}
			if opts.Trust != nil {
				if trusted, reason := opts.Trust.judgeRecord(rec, byID); !trusted {
					t.Untrusted++
					continue
				} else if reason != "" {
					t.forged(path, rec, reason)
					continue
				}
			}
			r, ok := sc.runOfRecord(rec)
			if !ok {
				t.Corrupt++
				continue
			}
			runs = append(runs, r)
		}
		t.Corrupt += recs.stats.Corrupt
	}
	sortSkipped(t.Skipped)
	runs, t.Duplicates = dedupe(runs)
	if opts.Trust != nil {
		t.ends = opts.Trust.seriesEnds()
		runs = t.endRetired(runs)
	}
	t.build(runs, opts.Standards, now, topts)
	return t, nil
}

type historyFile struct {
	records []history.Record
	stats   history.Stats
}

// readHistory reads one compact history file (bounded by package history).
func readHistory(path string) (historyFile, string) {
	f, err := openResult(path)
	if err != nil {
		return historyFile{}, "cannot read: " + unwrapPath(err).Error()
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return historyFile{}, "not a regular file, not read"
	}
	recs, st, err := history.Read(f)
	h := historyFile{recs, st}
	switch {
	case err != nil:
		return h, "cannot read all of it: " + unwrapPath(err).Error()
	case st.TooLarge:
		return h, fmt.Sprintf("larger than %s: only the first records read", report.SizeText(history.MaxFileSize))
	}
	return h, ""
}

// judgeRecord says whether the trust store pins the host a compact history
// record claims (by host ID and name, as results are pinned; or its host
// ID alone, under another name), and if so why the record is not counted:
// a record counts only when its signature verifies with the key pinned for
// its host ID and name, so a line anyone wrote into the share counts for
// nobody. byID are the pins by lower-case host ID.
func (t *Trust) judgeRecord(rec history.Record, byID map[string]Pin) (pinned bool, reason string) {
	pins := t.pinsOf(identity(rec.HostID, rec.HostName))
	if len(pins) == 0 {
		other, sameID := byID[strings.ToLower(rec.HostID)]
		if rec.HostID == "" || !sameID {
			return false, ""
		}
		if rec.Verify(mustKey(other.PublicKey)) == nil {
			return true, fmt.Sprintf("signed by %s, but under a name not pinned: a rename not yet trusted", other.HostName)
		}
		return true, fmt.Sprintf("claims the host ID pinned for %s under another name, not signed with its key: forged", other.HostName)
	}
	var err error
	for _, p := range pins {
		if err = rec.Verify(mustKey(p.PublicKey)); err == nil {
			return true, ""
		}
	}
	if errors.Is(err, history.ErrUnsigned) {
		return true, "unsigned: a history record counts only when the machine's own key signed it"
	}
	return true, fmt.Sprintf("not signed with the key %s pinned for this host (%v): forged or altered", pins[0].KeyID, err)
}

// pinsOf are the pins of one identity: the one in use, then any retired
// (a key rotated on the same PC, or a machine retired since), whose keys
// still verify what the machine signed before; endRetired drops what it
// claims after.
func (t *Trust) pinsOf(id string) []Pin {
	var out []Pin
	if p, ok := t.pins[id]; ok {
		out = append(out, p)
	}
	for _, p := range t.retired {
		if p.identity() == id {
			out = append(out, p)
		}
	}
	return out
}

// pinsByHostID are the pins by lower-case host ID.
func (t *Trust) pinsByHostID() map[string]Pin {
	out := make(map[string]Pin, len(t.pins))
	for _, p := range t.retired {
		if p.HostID != "" {
			out[strings.ToLower(p.HostID)] = p
		}
	}
	for _, p := range t.pins {
		if p.HostID != "" {
			out[strings.ToLower(p.HostID)] = p
		}
	}
	return out
}

// forged counts a record not counted for reason, by file, host and reason.
func (t *Trend) forged(path string, rec history.Record, reason string) {
	for i, f := range t.Forged {
		if f.Path == path && f.HostID == rec.HostID && f.HostName == rec.HostName && f.Reason == reason {
			t.Forged[i].Records++
			return
		}
	}
	t.Forged = append(t.Forged, ForgedRecords{Path: path, HostName: rec.HostName, HostID: rec.HostID, Records: 1, Reason: reason})
}

// ForgedCount is how many history records were not counted as forged.
func (t *Trend) ForgedCount() int {
	n := 0
	for _, f := range t.Forged {
		n += f.Records
	}
	return n
}

// seriesEnds are the series of retired machines, by Record.Identity, with
// the time each was retired; a series a machine in use shares (a key
// rotated on the same PC) goes on.
func (t *Trust) seriesEnds() map[string]time.Time {
	inUse := map[string]bool{}
	for _, p := range t.pins {
		inUse[history.Record{HostID: p.HostID, HostName: p.HostName}.Identity()] = true
	}
	ends := map[string]time.Time{}
	for _, p := range t.retired {
		id := history.Record{HostID: p.HostID, HostName: p.HostName}.Identity()
		if !inUse[id] && p.RetiredAt.After(ends[id]) {
			ends[id] = p.RetiredAt
		}
	}
	return ends
}

// endRetired drops the runs a retired machine claims after its retirement
// (they count as untrusted): its series ends at its last result before.
func (t *Trend) endRetired(runs []run) []run {
	return slices.DeleteFunc(runs, func(r run) bool {
		end, retired := t.ends[r.series]
		if retired && r.at.After(end) {
			t.Untrusted++
			return true
		}
		return false
	})
}

func runOfResult(r *result) run {
	rec := history.Record{HostID: r.host.ID, HostName: r.host.Name}
	out := run{series: rec.Identity(), id: r.host.ID, name: strings.TrimSpace(r.host.Name), at: r.scannedAt, sha: hex.EncodeToString(r.digest[:]),
		checks: make(map[string]standards.Status, len(r.checks))}
	for _, s := range r.standards {
		out.setOutcome(s.Number, cmp.Or(s.MachineOutcome, s.Outcome))
	}
	for _, c := range r.checks {
		out.checks[c.ID] = c.Status
	}
	return out
}

// scorer judges records' verdicts with this build's scoring, once per
// distinct set of verdicts: a PC's nightly runs mostly repeat themselves.
type scorer struct {
	ndg  []standards.Standard
	memo map[string]scored
}

type scored struct {
	outcomes [11]byte
	checks   map[string]standards.Status // the catalogued checks; shared, never changed
}

// runOfRecord judges a record's verdicts again with this build's scoring:
// the outcomes a record claims are not believed.
func (sc *scorer) runOfRecord(rec history.Record) (run, bool) {
	ids := make([]string, 0, len(rec.Checks))
	for id, s := range rec.Checks {
		if s > standards.NeedsAdmin {
			return run{}, false
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var key strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&key, "%s=%d;", id, rec.Checks[id])
	}
	out := run{series: rec.Identity(), id: rec.HostID, name: strings.TrimSpace(rec.HostName), at: rec.ScannedAt, sha: strings.ToLower(rec.ResultSHA256), fromHistory: true}
	if sc.memo == nil {
		sc.memo = map[string]scored{}
	}
	got, ok := sc.memo[key.String()]
	if !ok {
		rep := &report.Report{SchemaVersion: report.SchemaVersion, Host: report.Host{ID: rec.HostID, Name: rec.HostName},
			ScannedAt: rec.ScannedAt, JudgedAt: rec.ScannedAt, Results: make([]report.CheckResult, 0, len(ids))}
		for _, id := range ids {
			rep.Results = append(rep.Results, report.CheckResult{ID: id, Status: rec.Checks[id]})
		}
		if _, err := report.Rescore(rep, sc.ndg); err != nil {
			return run{}, false
		}
		var r run
		for _, s := range rep.Standards {
			r.setOutcome(s.Number, cmp.Or(s.MachineOutcome, s.Outcome))
		}
		got = scored{outcomes: r.outcomes, checks: make(map[string]standards.Status, len(rep.Results))}
		for _, c := range rep.Results {
			got.checks[c.ID] = c.Status
		}
		sc.memo[key.String()] = got
	}
	out.outcomes, out.checks = got.outcomes, got.checks
	return out, true
}

func (r *run) setOutcome(n int, o standards.Outcome) {
	if n > 0 && n < len(r.outcomes) {
		r.outcomes[n], _ = outcomeCode(o)
	}
}

// dedupe keeps one run per result hash and per machine and scan time.
func dedupe(runs []run) ([]run, int) {
	slices.SortStableFunc(runs, func(a, b run) int {
		return cmp.Or(cmp.Compare(a.series, b.series), a.at.Compare(b.at))
	})
	seen := map[string]bool{}
	out := runs[:0]
	for i, r := range runs {
		if seen[r.sha] || i > 0 && runs[i-1].series == r.series && runs[i-1].at.Equal(r.at) {
			continue
		}
		seen[r.sha] = true
		out = append(out, r)
	}
	return out, len(runs) - len(out)
}

// build cuts runs, one per scan (dedupe), into periods ending with the
// one holding now.
func (t *Trend) build(runs []run, ndg []standards.Standard, now time.Time, opts TrendOptions) {
	t.Period, t.Since, t.GeneratedAt, t.Standards = cmp.Or(opts.Period, Month), opts.Since, now, ndg
	series := seriesOf(runs, t.ends)
	for _, r := range runs {
		if r.fromHistory {
			t.Records++
		} else {
			t.FullResults++
		}
	}
	if len(runs) == 0 {
		return
	}
	// The periods start with the oldest run, but no more than MaxTrendDays
	// before now: a result claiming a time long past does not make years
	// of empty periods. Older runs still count as the run before.
	first := slices.MinFunc(runs, func(a, b run) int { return a.at.Compare(b.at) }).at
	first = later(first, now.AddDate(0, 0, -MaxTrendDays))
	for start := periodStart(first, t.Period); !start.After(now); start = nextPeriod(start, t.Period) {
		t.Periods = append(t.Periods, t.cut(series, start, nextPeriod(start, t.Period), ndg))
	}
	t.Improvements = improvements(series, opts.Since)
}

// machine is one series of runs, oldest first.
type machine struct {
	name     string // newest
	id       string
	runs     []run
	endsWith time.Time // replaced: the series ends at its last run; zero: it does not end
}

func seriesOf(runs []run, ends map[string]time.Time) []*machine {
	by := map[string]*machine{}
	var order []*machine
	for _, r := range runs {
		m := by[r.series]
		if m == nil {
			m = &machine{id: r.id}
			by[r.series] = m
			order = append(order, m)
		}
		m.runs = append(m.runs, r)
	}
	for _, m := range order {
		slices.SortStableFunc(m.runs, func(a, b run) int { return a.at.Compare(b.at) })
		m.name = m.runs[len(m.runs)-1].name
		if _, retired := ends[m.runs[0].series]; retired {
			m.endsWith = m.runs[len(m.runs)-1].at
		}
	}
	// A series whose last name a later series of another machine carries
	// was replaced: it ends.
	byName := map[string][]*machine{}
	for _, m := range order {
		byName[strings.ToLower(m.name)] = append(byName[strings.ToLower(m.name)], m)
	}
	for _, same := range byName {
		for _, m := range same {
			last := m.runs[len(m.runs)-1].at
			for _, o := range same {
				if o != m && o.runs[len(o.runs)-1].at.After(last) {
					m.endsWith = last
				}
			}
		}
	}
	return order
}

func periodStart(t time.Time, p Period) time.Time {
	t = t.UTC()
	if p == Week {
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	}
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func nextPeriod(start time.Time, p Period) time.Time {
	if p == Week {
		return start.AddDate(0, 0, 7)
	}
	return start.AddDate(0, 1, 0)
}

func periodLabel(start time.Time, p Period) string {
	if p == Week {
		y, w := start.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	}
	return start.Format("2006-01")
}

// cut is one period's figures: each machine's last result in the period,
// judged by the roll-up's own rule (countStandard, standards.Overall).
func (t *Trend) cut(series []*machine, start, end time.Time, ndg []standards.Standard) TrendPeriod {
	p := TrendPeriod{Label: periodLabel(start, t.Period), Start: start, End: end}
	roll := &Rollup{GeneratedAt: end, StaleAfter: DefaultStaleAfter}
	for _, m := range series {
		if !m.runs[0].at.Before(end) || !m.endsWith.IsZero() && m.endsWith.Before(start) {
			continue
		}
		i, _ := slices.BinarySearchFunc(m.runs, end, func(r run, at time.Time) int { return r.at.Compare(at) })
		last := m.runs[i-1]
		h := &Host{Name: m.name, ID: m.id, ScannedAt: last.at, standards: last.outcomes, Stale: last.at.Before(start)}
		roll.Hosts = append(roll.Hosts, h)
		if h.Stale {
			continue
		}
		p.Reporting++
		fixed, regressed := changedIn(m.runs[:i], start)
		if fixed {
			p.Fixed++
			p.FixedHosts = append(p.FixedHosts, m.name)
		}
		if regressed {
			p.Regressed++
			p.RegressedHosts = append(p.RegressedHosts, m.name)
		}
	}
	p.Hosts = len(roll.Hosts)
	var outcomes []standards.Outcome
	for _, s := range ndg {
		st := roll.countStandard(s, false, standards.StandardAttestations{})
		p.Standards = append(p.Standards, StandardShare{Number: s.Number, Assessed: st.Assessed, Met: st.MetCurrent(), Outcome: st.Outcome})
		outcomes = append(outcomes, st.Outcome)
	}
	p.Outcome = standards.NotAssessed
	if p.Hosts > 0 {
		p.Outcome = standards.Overall(outcomes)
	}
	slices.SortFunc(p.FixedHosts, compareNames)
	slices.SortFunc(p.RegressedHosts, compareNames)
	return p
}

func compareNames(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) }

// changedIn says whether any check got better, and any worse, between two
// consecutive runs of which the later is at or after start.
func changedIn(runs []run, start time.Time) (fixed, regressed bool) {
	for i := len(runs) - 1; i > 0 && !runs[i].at.Before(start); i-- {
		forEachChange(runs[i-1], runs[i], func(_ string, c standards.StatusChange) {
			fixed = fixed || c.Better()
			regressed = regressed || c.Worse()
		})
	}
	return fixed, regressed
}

// forEachChange classifies every check of either run, in ID order.
func forEachChange(before, after run, f func(id string, c standards.StatusChange)) {
	ids := make([]string, 0, len(after.checks)+4)
	for id := range after.checks {
		ids = append(ids, id)
	}
	for id := range before.checks {
		if _, ok := after.checks[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		b, hadB := before.checks[id]
		a, hadA := after.checks[id]
		if c := standards.ClassifyChange(b, a, hadB, hadA); c != standards.Unchanged {
			f(id, c)
		}
	}
}

// improvements lists every check that got better on a machine since the
// day given, oldest first.
func improvements(series []*machine, since time.Time) []Improvement {
	var out []Improvement
	for _, m := range series {
		broke := map[string]time.Time{} // check -> when it got worse, since the day given
		for i := 1; i < len(m.runs); i++ {
			if m.runs[i].at.Before(since) {
				continue
			}
			forEachChange(m.runs[i-1], m.runs[i], func(id string, c standards.StatusChange) {
				switch {
				case c.Worse():
					broke[id] = m.runs[i].at
				case c.Better():
					out = append(out, Improvement{At: m.runs[i].at, Host: m.name, HostID: m.id, Check: id, Change: c, Repairs: broke[id]})
					delete(broke, id)
				}
			})
		}
	}
	slices.SortStableFunc(out, func(a, b Improvement) int {
		return cmp.Or(a.At.Compare(b.At), compareNames(a.Host, b.Host), cmp.Compare(a.Check, b.Check))
	})
	return out
}
