package report

import (
	"fmt"
	"sync"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// catalogue is this build's checks by ID.
var catalogue = sync.OnceValue(func() map[string]*checks.Check {
	m := map[string]*checks.Check{}
	for _, c := range checks.All() {
		m[c.ID] = c
	}
	return m
})

// Known reports whether this build has a check of that ID.
func Known(id string) bool { _, ok := catalogue()[id]; return ok }

// Recount believes nothing a report derives from its verdicts: it judges
// them again with this build's scoring rule and takes each check's title,
// severity and mappings from this build's catalogue. Results of checks the
// catalogue does not have are left out and counted in one note. The
// outcome, scores, standards, counts and if-fixed figures are replaced; the
// notes say where the file's own figures differed, and are added to the
// report's DataNotes so that every format shows them. A check judged twice
// is an error: which verdict counts would be a guess.
func Recount(rep *Report, ndg []standards.Standard) (Recounted, error) {
	return recount(rep, ndg, true)
}

// Rescore is Recount without the if-fixed figures (left empty), which
// cost most of its time: for readers that do not show them.
func Rescore(rep *Report, ndg []standards.Standard) (Recounted, error) {
	return recount(rep, ndg, false)
}

func recount(rep *Report, ndg []standards.Standard, ifFixed bool) (Recounted, error) {
	if err := checkCustom(rep); err != nil {
		return Recounted{}, err
	}
	kept, unknown, retitled, err := knownResults(rep, ndg)
	if err != nil {
		return Recounted{}, err
	}
	claimedOutcome, claimedScore, claimedRule := rep.Outcome, rep.Score, rep.ScoringRule
	// A file judged with a practice file may rightly claim another outcome
	// than its verdicts alone give; it is judged again all the same.
	withPractice := rep.Practice != nil && rep.Practice.Used
	rep.Practice = nil // what a file says of a practice file is not believed: ApplyPractice again
	rep.Results, rep.ScoringRule = kept, standards.ScoringRule
	findings := judgement{ndg: ndg, items: dsptData(), now: rep.JudgedAt}.apply(rep, nil, ifFixed)
	var notes []string
	differs := !withPractice && claimedOutcome != rep.Outcome || !sameScore(claimedScore, rep.Score)
	if differs && claimedRule == scoringRule1 {
		o, s := byRule1(ndg, findings)
		differs = o != claimedOutcome || !sameScore(s, claimedScore)
	}
	if differs {
		notes = append(notes, fmt.Sprintf("The file claims %s (score %s); its verdicts give %s (score %s) by this build's scoring rule, which is what is shown.",
			claimed(claimedOutcome), scoreWords(claimedScore), rep.Outcome, scoreWords(rep.Score)))
	}
	if retitled > 0 {
		notes = append(notes, fmt.Sprintf("The file gives %d %s a title or severity other than this build's catalogue; the catalogue's are shown.", retitled, checksWord(retitled)))
	}
	if unknown > 0 {
		notes = append(notes, UnknownChecksNote(unknown))
	}
	rep.Counts = map[string]int{}
	whatIf := standards.NewWhatIf(ndg, findings)
	for i, r := range kept {
		rep.Counts[r.Status.String()]++
		kept[i].IfFixed = nil
		if ifFixed && r.Status != standards.Pass && r.Status != standards.NotApplicable {
			kept[i].IfFixed = whatIf.IfFixed(i)
		}
	}
	rep.DataNotes = append(rep.DataNotes, notes...)
	return Recounted{Notes: notes, Unknown: unknown, Differs: differs}, nil
}

// Recounted is what Recount found.
type Recounted struct {
	Notes   []string
	Unknown int  // results of checks not in the catalogue, left out
	Differs bool // the file's outcome or score is not what its verdicts give
}

// UnknownChecksNote says that n results of unknown checks were left out.
func UnknownChecksNote(n int) string {
	return fmt.Sprintf("%d %s not in this build's catalogue left out (written by a newer dspt-audit, or the file was altered); they count towards nothing.",
		n, plural(n, "result of a check", "results of checks"))
}

// knownResults keeps the results of catalogued checks, with the
// catalogue's title, severity and mappings, and those of the custom checks
// the report's checks files account for (customResult), which count
// towards the standards they map to as a built-in's do. A built-in's
// result never claims an origin.
func knownResults(rep *Report, ndg []standards.Standard) (kept []CheckResult, unknown, retitled int, err error) {
	cat := catalogue()
	seen := map[string]bool{}
	for _, r := range rep.Results {
		c, ok := cat[r.ID]
		custom := !ok && rep.customResult(&r, ndg)
		if !ok && !custom {
			unknown++
			continue
		}
		if seen[r.ID] {
			return nil, 0, 0, fmt.Errorf("check %s is judged twice: which verdict counts cannot be told", r.ID)
		}
		seen[r.ID] = true
		if custom {
			kept = append(kept, r)
			continue
		}
		r.Origin = ""
		if r.Title != c.Title || r.Severity != c.Severity {
			retitled++
		}
		r.Title, r.Severity, r.Mappings = c.Title, c.Severity, shownMappings(c.Mappings)
		kept = append(kept, r)
	}
	return kept, unknown, retitled, nil
}

func standardResults(card standards.Scorecard) []StandardResult {
	out := make([]StandardResult, 0, len(card.Standards))
	for _, s := range card.Standards {
		out = append(out, StandardResult{
			Number: s.Number, Title: s.Title, Score: s.Score, Coverage: s.Coverage, Outcome: s.Outcome,
			Checks: s.Checks, Failing: s.Failing, MachineEvidence: s.MachineEvidence,
		})
	}
	return out
}

func sameScore(a, b *int) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func scoreWords(p *int) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprint(*p)
}

func claimed(o standards.Outcome) string {
	if o == "" {
		return "no outcome"
	}
	return fmt.Sprintf("%q", string(o))
}

func checksWord(n int) string { return plural(n, "check", "checks") }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
