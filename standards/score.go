package standards

import (
	"fmt"
	"math"
	"slices"
)

// Outcome is a DSPT-style outcome for one standard or a whole machine.
type Outcome string

// The outcomes use the DSPT's own words. NotAssessed marks a standard that
// no machine check can evidence (training, contracts and the like).
const (
	Met         Outcome = "Standards Met"
	Approaching Outcome = "Approaching Standards"
	NotMet      Outcome = "Standards Not Met"
	NotAssessed Outcome = "Not assessed by this tool"
)

// ScoringRule is the rule, in words, that every report prints beside the
// scores so that a reader can check them by hand.
const ScoringRule = `Each standard's score is the severity-weighted share of its applicable checks that pass ` +
	`(weights: critical 4, high 3, medium 2, low 1; pass counts in full, warn counts half, fail counts nothing, ` +
	`and a check the tool could not determine (unknown, needs admin) also counts nothing, so it never scores above a failing one). ` +
	`Coverage is the share of its applicable checks that could be determined. ` +
	`A standard where no check could be determined is Not assessed. It is Not Met if any critical check fails ` +
	`or its determined checks alone score below 50; Met if every applicable check was determined and none fails; ` +
	`otherwise Approaching. A failing check under an accepted risk still fails and still counts nothing in the score; ` +
	`while the risk is unexpired it does not make a standard Not Met, but the standard is at best Approaching, never Met; ` +
	`once the risk expires it counts as an ordinary failure. ` +
	`Attested items (from the practice file, not machine-verified) count only when answered and not past their next review: ` +
	`a standard's attested outcome is Not Met if any counted mandatory item is answered not met, Met if every mandatory item ` +
	`the machine cannot evidence is answered met, otherwise Approaching (partly, missing or expired); with no counted item it is Not assessed. ` +
	`A standard with both is the worse of its machine and attested outcomes; with a practice file, a machine-Met standard ` +
	`whose mandatory items are not all attested met is Approaching. ` +
	`Overall: Not Met if any standard is Not Met, Met if every assessed standard is Met, otherwise Approaching.`

// notMetBelow is the score under which a standard is Not Met.
const notMetBelow = 50

// Finding is what scoring needs to know of one check's verdict.
type Finding struct {
	CheckID  string
	Severity Severity
	Status   Status
	NDG      []int
	// RiskAccepted marks a failure the practice has accepted, unexpired:
	// it stops the failure making a standard Not Met, never Met.
	RiskAccepted bool
}

// StandardScore is the score of one NDG standard on one machine.
type StandardScore struct {
	Standard
	// Score is 0-100, or nil when no check of the standard could be determined.
	Score      *int     `json:"score"`
	Coverage   float64  `json:"coverage"`
	Outcome    Outcome  `json:"outcome"`
	Checks     []string `json:"checks"`
	Determined int      `json:"determined"`
	Applicable int      `json:"applicable"`
	// Failing lists the failing checks, the critical ones first.
	Failing []string `json:"failing,omitempty"`
}

// Scorecard is the score of every standard and the overall outcome.
type Scorecard struct {
	Standards []StandardScore
	Score     *int
	Coverage  float64
	Outcome   Outcome
}

// Score applies ScoringRule to a machine's findings.
func Score(standards []Standard, findings []Finding) Scorecard {
	var card Scorecard
	for _, s := range standards {
		var mine []Finding
		for _, f := range findings {
			if slices.Contains(f.NDG, s.Number) {
				mine = append(mine, f)
			}
		}
		card.Standards = append(card.Standards, scoreStandard(s, mine))
	}
	overall := scoreStandard(Standard{}, findings)
	card.Score, card.Coverage = overall.Score, overall.Coverage
	card.Outcome = overallOutcome(card.Standards)
	return card
}

func scoreStandard(s Standard, findings []Finding) StandardScore {
	ss := StandardScore{Standard: s, Checks: []string{}}
	var t tally
	for _, f := range findings {
		if f.Status == NotApplicable {
			continue
		}
		ss.Checks = append(ss.Checks, f.CheckID)
		if f.Status == Fail {
			ss.Failing = append(ss.Failing, f.CheckID)
		}
		t.count(f, 1)
	}
	t.judge(&ss)
	return ss
}

// tally is what a standard's score and outcome are worked out from: sums a
// finding can be added to or taken from, so that what one changed finding
// does is known without counting them all again. Weights and half weights
// are exact in a float64, so the sums do not depend on the order.
type tally struct {
	applicable, determined, failing, criticalFails  int
	weight, credit, determinedWeight, outcomeCredit float64
}

// count adds finding f n times (-1 takes it away).
func (t *tally) count(f Finding, n int) {
	if f.Status == NotApplicable {
		return
	}
	k, w := float64(n), f.Severity.Weight()
	t.applicable += n
	t.weight += k * w
	if !f.Status.Determined() {
		return
	}
	t.determined += n
	t.determinedWeight += k * w
	switch f.Status {
	case Pass:
		t.credit += k * w
		t.outcomeCredit += k * w
	case Warn:
		t.credit += k * w / 2
		t.outcomeCredit += k * w / 2
	case Fail:
		t.failing += n
		switch {
		case f.RiskAccepted:
			t.outcomeCredit += k * w
		case f.Severity == Critical:
			t.criticalFails += n
		}
	}
}

// judge sets ss's counts, coverage, score and outcome by ScoringRule.
func (t tally) judge(ss *StandardScore) {
	ss.Applicable, ss.Determined = t.applicable, t.determined
	if t.applicable == 0 {
		ss.Outcome = NotAssessed
		return
	}
	ss.Coverage = float64(t.determined) / float64(t.applicable)
	if t.determined == 0 || t.determinedWeight <= 0 {
		ss.Outcome = NotAssessed
		return
	}
	score := int(math.Round(100 * t.credit / t.weight))
	ss.Score = &score
	switch {
	case t.criticalFails > 0 || 100*t.outcomeCredit/t.determinedWeight < notMetBelow:
		ss.Outcome = NotMet
	case t.determined == t.applicable && t.failing == 0:
		ss.Outcome = Met
	default:
		ss.Outcome = Approaching
	}
}

// Rescorer scores findings once, then says what the scorecard would be if
// one finding were different without scoring them all again: the action
// plan and the if-fixed figures ask that of every failing check, which
// would otherwise take time growing with the square of the checks.
type Rescorer struct {
	standards []Standard
	findings  []Finding
	card      Scorecard
	tallies   []tally // of each standard
	overall   tally
}

// NewRescorer scores findings as Score does.
func NewRescorer(standards []Standard, findings []Finding) *Rescorer {
	r := &Rescorer{standards: standards, findings: findings, card: Score(standards, findings), tallies: make([]tally, len(standards))}
	for _, f := range findings {
		r.overall.count(f, 1)
		for k, s := range standards {
			if slices.Contains(f.NDG, s.Number) {
				r.tallies[k].count(f, 1)
			}
		}
	}
	return r
}

// Card is the findings' scorecard, as Score gives it.
func (r *Rescorer) Card() Scorecard { return r.card }

// With is the scorecard Score would give if finding i were f: the same
// scores, coverage, counts and outcomes, but a standard f or finding i
// serves has no lists of checks (Checks, Failing).
func (r *Rescorer) With(i int, f Finding) Scorecard {
	old := r.findings[i]
	card := Scorecard{Standards: slices.Clone(r.card.Standards)}
	for k, s := range r.standards {
		was, is := slices.Contains(old.NDG, s.Number), slices.Contains(f.NDG, s.Number)
		if !was && !is {
			continue
		}
		t := r.tallies[k]
		if was {
			t.count(old, -1)
		}
		if is {
			t.count(f, 1)
		}
		card.Standards[k] = StandardScore{Standard: s}
		t.judge(&card.Standards[k])
	}
	o := r.overall
	o.count(old, -1)
	o.count(f, 1)
	var overall StandardScore
	o.judge(&overall)
	card.Score, card.Coverage = overall.Score, overall.Coverage
	card.Outcome = overallOutcome(card.Standards)
	return card
}

// IfFixed says what would change for each standard if finding i passed.
func (r *Rescorer) IfFixed(i int) []Change {
	fixed := r.findings[i]
	fixed.Status = Pass
	after := r.With(i, fixed)
	var changes []Change
	for k, b := range r.card.Standards {
		if !slices.Contains(r.findings[i].NDG, b.Number) {
			continue
		}
		a := after.Standards[k]
		changes = append(changes, Change{Standard: b.Number, ScoreFrom: b.Score, ScoreTo: a.Score, OutcomeFrom: b.Outcome, OutcomeTo: a.Outcome})
	}
	return changes
}

func overallOutcome(scores []StandardScore) Outcome {
	outcomes := make([]Outcome, len(scores))
	for i, s := range scores {
		outcomes[i] = s.Outcome
	}
	return Overall(outcomes)
}

// Overall combines standards' outcomes as ScoringRule says: Not Met if any
// is Not Met, Met if every assessed one is Met, otherwise Approaching.
func Overall(outcomes []Outcome) Outcome {
	assessed, met := 0, 0
	for _, o := range outcomes {
		switch o {
		case NotMet:
			return NotMet
		case Met:
			met++
		}
		if o != NotAssessed {
			assessed++
		}
	}
	if assessed == 0 {
		return NotAssessed
	}
	if met == assessed {
		return Met
	}
	return Approaching
}

// Change is what passing one check would do to one standard.
type Change struct {
	Standard    int     `json:"standard"`
	ScoreFrom   *int    `json:"score_from"`
	ScoreTo     *int    `json:"score_to"`
	OutcomeFrom Outcome `json:"outcome_from"`
	OutcomeTo   Outcome `json:"outcome_to"`
}

// String says the change in words: "standard 8: 40 -> 70 (Standards Not Met -> Approaching Standards)".
func (c Change) String() string {
	s := fmt.Sprintf("standard %d: %s -> %s", c.Standard, scoreText(c.ScoreFrom), scoreText(c.ScoreTo))
	if c.OutcomeFrom != c.OutcomeTo {
		return s + fmt.Sprintf(" (%s -> %s)", c.OutcomeFrom, c.OutcomeTo)
	}
	return s + fmt.Sprintf(" (still %s)", c.OutcomeFrom)
}

func scoreText(p *int) string {
	if p == nil {
		return "no score"
	}
	return fmt.Sprint(*p)
}

// IfFixed says what would change for each standard if finding i passed.
func IfFixed(standards []Standard, findings []Finding, i int) []Change {
	before := Score(standards, findings)
	fixed := slices.Clone(findings)
	fixed[i].Status = Pass
	after := Score(standards, fixed)
	var changes []Change
	for k, b := range before.Standards {
		a := after.Standards[k]
		if !slices.Contains(findings[i].NDG, b.Number) {
			continue
		}
		changes = append(changes, Change{Standard: b.Number, ScoreFrom: b.Score, ScoreTo: a.Score, OutcomeFrom: b.Outcome, OutcomeTo: a.Outcome})
	}
	return changes
}
