// Package diff compares two results of a scan: how each check's verdict
// moved, which observed values changed, and how each standard's outcome
// and score moved. It classifies every check with standards.ClassifyChange,
// as the nightly event and the fleet trend do, so the three never disagree.
package diff

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// SchemaVersion is the version of the JSON diff (diff_schema_version).
// Fields are only ever added within a version.
const SchemaVersion = 1

// Diff is what changed from one result (Old) to another (New).
type Diff struct {
	SchemaVersion int  `json:"diff_schema_version"`
	Old           Side `json:"old"`
	New           Side `json:"new"`
	// Notes say what a reader must know before trusting the comparison:
	// another machine, a renamed one, another tool version or data, results
	// given in the wrong order.
	// It is an empty list when there is nothing to note.
	Notes []string `json:"notes"`
	// Counts are the checks by kind of change, every kind named (zero
	// when no check moved so).
	Counts map[string]int `json:"counts"`
	// Checks are every check of either result: worse first, then better,
	// then other moves, added, removed, and the unchanged last.
	Checks []CheckChange `json:"checks"`
	// Evidence are the observations both results recorded whose values
	// differ, each once, naming the checks that read it.
	Evidence []EvidenceChange `json:"evidence"`
	// Standards are the NDG standards of either result.
	Standards []StandardChange `json:"standards"`
}

// Side is what the diff shows of one result.
type Side struct {
	Host        report.Host       `json:"host"`
	ScannedAt   time.Time         `json:"scanned_at"`
	ToolVersion string            `json:"tool_version"`
	Outcome     standards.Outcome `json:"outcome"`
	Score       *int              `json:"score"`
	// ResultSHA256 is the hash of the result file as read.
	ResultSHA256 string                 `json:"result_sha256,omitempty"`
	Data         []standards.Provenance `json:"data,omitempty"`
}

// CheckChange is how one check moved.
type CheckChange struct {
	ID     string                 `json:"id"`
	Title  string                 `json:"title"`
	Change standards.StatusChange `json:"change"`
	// Before and After are the verdicts; nil on the side without the check.
	Before *Verdict `json:"before"`
	After  *Verdict `json:"after"`
}

// Verdict is one side's verdict of a check.
type Verdict struct {
	Status  standards.Status `json:"status"`
	Summary string           `json:"summary"`
}

// StandardChange is how one NDG standard moved. A nil score is no score;
// an empty outcome, a side without the standard.
type StandardChange struct {
	Number        int               `json:"number"`
	Title         string            `json:"title"`
	OutcomeBefore standards.Outcome `json:"outcome_before"`
	OutcomeAfter  standards.Outcome `json:"outcome_after"`
	ScoreBefore   *int              `json:"score_before"`
	ScoreAfter    *int              `json:"score_after"`
}

// Changed reports whether the standard's outcome or score moved.
func (s StandardChange) Changed() bool {
	return s.OutcomeBefore != s.OutcomeAfter || !sameScore(s.ScoreBefore, s.ScoreAfter)
}

// Compare says what changed from old to new. It believes the results'
// figures: read them with report.Decode and judge them again with
// report.Rescore (or Recount) first, as the diff command does. Neither
// result is changed.
func Compare(old, new *report.Report) *Diff {
	d := &Diff{
		SchemaVersion: SchemaVersion,
		Old:           side(old),
		New:           side(new),
		Notes:         notes(old, new),
		Counts:        map[string]int{},
	}
	for _, k := range ChangeKinds {
		d.Counts[k.String()] = 0
	}
	d.Checks = checkChanges(old.Results, new.Results)
	for _, c := range d.Checks {
		d.Counts[c.Change.String()]++
	}
	d.Evidence = evidenceChanges(old.Results, new.Results)
	d.Standards = standardChanges(old.Standards, new.Standards)
	return d
}

// ChangeKinds are the kinds of change, in the order the views list them.
var ChangeKinds = []standards.StatusChange{
	standards.Regressed, standards.NewFailure, standards.Fixed, standards.Improved, standards.NowKnown,
	standards.Other, standards.Added, standards.Removed, standards.Unchanged,
}

func side(r *report.Report) Side {
	return Side{
		Host: r.Host, ScannedAt: r.ScannedAt, ToolVersion: r.Tool.Version, Outcome: r.Outcome, Score: r.Score,
		ResultSHA256: r.ResultSHA256, Data: r.Data,
	}
}

// checkChanges classifies every check of either side, in the order a
// reader needs them.
func checkChanges(old, new []report.CheckResult) []CheckChange {
	before := map[string]report.CheckResult{}
	for _, r := range old {
		before[r.ID] = r
	}
	var out []CheckChange
	seen := map[string]bool{}
	for _, r := range new {
		seen[r.ID] = true
		b, had := before[r.ID]
		c := CheckChange{ID: r.ID, Title: r.Title, After: &Verdict{r.Status, r.Summary}}
		if had {
			c.Before = &Verdict{b.Status, b.Summary}
		}
		c.Change = standards.ClassifyChange(b.Status, r.Status, had, true)
		out = append(out, c)
	}
	for _, r := range old {
		if !seen[r.ID] {
			out = append(out, CheckChange{ID: r.ID, Title: r.Title, Before: &Verdict{r.Status, r.Summary},
				Change: standards.ClassifyChange(r.Status, 0, true, false)})
		}
	}
	slices.SortStableFunc(out, func(a, b CheckChange) int { return cmp.Compare(rank(a.Change), rank(b.Change)) })
	return out
}

// rank orders the kinds of change as a reader needs them.
func rank(c standards.StatusChange) int {
	switch {
	case c == standards.Regressed:
		return 0
	case c == standards.NewFailure:
		return 1
	case c.Better():
		return 2
	case c == standards.Other, c == standards.NowKnown:
		return 3
	case c == standards.Added:
		return 4
	case c == standards.Removed:
		return 5
	}
	return 6
}

func standardChanges(old, new []report.StandardResult) []StandardChange {
	byNumber := map[int]*StandardChange{}
	var out []*StandardChange
	at := func(s report.StandardResult) *StandardChange {
		c, ok := byNumber[s.Number]
		if !ok {
			c = &StandardChange{Number: s.Number, Title: s.Title}
			byNumber[s.Number] = c
			out = append(out, c)
		}
		return c
	}
	for _, s := range old {
		c := at(s)
		c.OutcomeBefore, c.ScoreBefore = s.Outcome, s.Score
	}
	for _, s := range new {
		c := at(s)
		c.Title, c.OutcomeAfter, c.ScoreAfter = s.Title, s.Outcome, s.Score
	}
	slices.SortFunc(out, func(a, b *StandardChange) int { return cmp.Compare(a.Number, b.Number) })
	changes := make([]StandardChange, len(out))
	for i, c := range out {
		changes[i] = *c
	}
	return changes
}

// notes says what makes the two results less than a plain before and
// after of one machine.
func notes(old, new *report.Report) []string {
	out := []string{}
	if old.ResultSHA256 != "" && old.ResultSHA256 == new.ResultSHA256 {
		out = append(out, fmt.Sprintf("OLD and NEW are the same result (the files' SHA-256 is %s in both): nothing can have changed; give an earlier result as OLD.",
			report.Sanitize(report.Truncate(old.ResultSHA256, 64))))
	}
	if n := hostNote(old.Host, new.Host); n != "" {
		out = append(out, n)
	}
	if old.Host.Platform != new.Host.Platform {
		out = append(out, fmt.Sprintf("Different platforms: OLD is %s, NEW is %s; checks of one platform show as added or removed.",
			quoted(old.Host.Platform), quoted(new.Host.Platform)))
	}
	if old.ScannedAt.After(new.ScannedAt) {
		out = append(out, fmt.Sprintf("OLD was scanned after NEW (%s, against %s): the changes read from OLD to NEW as given, backwards in time; give the files the other way round to see them forwards.",
			stamp(old.ScannedAt), stamp(new.ScannedAt)))
	}
	if old.Tool.Version != new.Tool.Version {
		out = append(out, fmt.Sprintf("Different dspt-audit versions: OLD by %s, NEW by %s; a verdict may have moved because a check changed, not the machine.",
			quoted(old.Tool.Version), quoted(new.Tool.Version)))
	}
	if n := dataNote(old.Data, new.Data); n != "" {
		out = append(out, n)
	}
	return out
}

// hostNote says whether the results are of one machine, as far as the
// host ID (the machine's own, kept across renames) and name tell.
func hostNote(old, new report.Host) string {
	sameName := strings.EqualFold(old.Name, new.Name)
	switch {
	case old.ID != "" && new.ID != "" && old.ID != new.ID:
		return fmt.Sprintf("Another machine: OLD is host %s (ID %s), NEW is host %s (ID %s); the comparison is of two machines, not one machine over time.",
			quoted(old.Name), quoted(old.ID), quoted(new.Name), quoted(new.ID))
	case old.ID != "" && old.ID == new.ID && !sameName:
		return fmt.Sprintf("Renamed: the same machine (host ID %s) was %s and is now %s.", quoted(old.ID), quoted(old.Name), quoted(new.Name))
	case (old.ID == "" || new.ID == "") && !sameName:
		return fmt.Sprintf("Different host names (OLD %s, NEW %s), and %s no host ID: whether this is one machine cannot be told.",
			quoted(old.Name), quoted(new.Name), missingID(old, new))
	case old.ID == "" || new.ID == "":
		return fmt.Sprintf("The same host name, but %s no host ID: whether this is one machine cannot be told for certain.", missingID(old, new))
	}
	return ""
}

func missingID(old, new report.Host) string {
	switch {
	case old.ID == "" && new.ID == "":
		return "neither result has"
	case old.ID == "":
		return "OLD has"
	}
	return "NEW has"
}

// dataNote names the reference data whose as_of differs between the
// results: a verdict may have moved because the facts did.
func dataNote(old, new []standards.Provenance) string {
	before := map[string]standards.Provenance{}
	for _, p := range old {
		before[p.Kind] = p
	}
	var moved []string
	for _, p := range new {
		if b, ok := before[p.Kind]; ok && !b.AsOf.Equal(p.AsOf.Time) {
			moved = append(moved, fmt.Sprintf("%s as of %s, then %s", report.Sanitize(p.Kind), b.AsOf, p.AsOf))
		}
	}
	if len(moved) == 0 {
		return ""
	}
	return "Different reference data: " + strings.Join(moved, "; ") + "; a verdict may have moved because the facts did, not the machine."
}

// Regressed are the IDs of the checks that regressed.
func (d *Diff) Regressed() []string {
	return d.ids(func(c standards.StatusChange) bool { return c == standards.Regressed })
}

// NewFailures are the IDs of the checks that newly fail or warn.
func (d *Diff) NewFailures() []string {
	return d.ids(func(c standards.StatusChange) bool { return c == standards.NewFailure })
}

// Better are the IDs of the checks fixed or improved.
func (d *Diff) Better() []string { return d.ids(standards.StatusChange.Better) }

// Worse reports whether any check regressed or newly fails.
func (d *Diff) Worse() bool {
	return slices.ContainsFunc(d.Checks, func(c CheckChange) bool { return c.Change.Worse() })
}

func (d *Diff) ids(keep func(standards.StatusChange) bool) []string {
	var ids []string
	for _, c := range d.Checks {
		if keep(c.Change) {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// Previous is what a new result records of the old one it was compared
// with.
func (d *Diff) Previous() *report.Previous {
	return &report.Previous{
		ScannedAt: d.Old.ScannedAt, Outcome: d.Old.Outcome, Score: d.Old.Score, ResultSHA256: d.Old.ResultSHA256,
		Regressed: d.Regressed(), NewFailures: d.NewFailures(), Fixed: d.Better(),
	}
}

func sameScore(a, b *int) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// quoted shows a value from a result file harmlessly, in quotes.
func quoted(s string) string { return `"` + report.Sanitize(report.Truncate(s, 80)) + `"` }

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// evidenceKey names an observation: its source and query.
type evidenceKey struct {
	source probe.Kind
	query  string
}
