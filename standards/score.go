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
		t.add(f, 1)
	}
	ss.Applicable, ss.Determined = t.applicable, t.determined
	ss.Score, ss.Coverage, ss.Outcome = t.result()
	return ss
}

// tally is what a standard's score and outcome follow from: sums over its
// findings, so that one finding can be taken out and put back changed.
// Every weight is a multiple of a half, so the sums are exact in any order.
type tally struct {
	weight, credit, determinedWeight, outcomeCredit float64
	applicable, determined, failing, criticalFails  int
}

// add adds finding f to the tally (sign 1) or takes it out (sign -1).
func (t *tally) add(f Finding, sign float64) {
	if f.Status == NotApplicable {
		return
	}
	n := int(sign)
	t.applicable += n
	w := f.Severity.Weight()
	t.weight += sign * w
	if !f.Status.Determined() {
		return
	}
	t.determined += n
	t.determinedWeight += sign * w
	switch f.Status {
	case Pass:
		t.credit += sign * w
		t.outcomeCredit += sign * w
	case Warn:
		t.credit += sign * w / 2
		t.outcomeCredit += sign * w / 2
	case Fail:
		t.failing += n
		if f.RiskAccepted {
			t.outcomeCredit += sign * w
		} else if f.Severity == Critical {
			t.criticalFails += n
		}
	}
}

// result is the score, coverage and outcome ScoringRule gives the tally.
func (t tally) result() (*int, float64, Outcome) {
	if t.applicable == 0 {
		return nil, 0, NotAssessed
	}
	coverage := float64(t.determined) / float64(t.applicable)
	if t.determined == 0 || t.determinedWeight <= 0 {
		return nil, coverage, NotAssessed
	}
	score := int(math.Round(100 * t.credit / t.weight))
	switch {
	case t.criticalFails > 0 || 100*t.outcomeCredit/t.determinedWeight < notMetBelow:
		return &score, coverage, NotMet
	case t.determined == t.applicable && t.failing == 0:
		return &score, coverage, Met
	}
	return &score, coverage, Approaching
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
// To ask it of many findings, use NewWhatIf: this scores them all anew.
func IfFixed(standards []Standard, findings []Finding, i int) []Change {
	return NewWhatIf(standards, findings).IfFixed(i)
}

// WhatIf answers IfFixed for each finding of one machine in time that does
// not grow with the number of findings: it tallies each standard once.
type WhatIf struct {
	standards []Standard
	findings  []Finding
	tallies   []tally
}

// NewWhatIf tallies each standard's findings.
func NewWhatIf(standards []Standard, findings []Finding) *WhatIf {
	w := &WhatIf{standards: standards, findings: findings, tallies: make([]tally, len(standards))}
	for k, s := range standards {
		for _, f := range findings {
			if slices.Contains(f.NDG, s.Number) {
				w.tallies[k].add(f, 1)
			}
		}
	}
	return w
}

// IfFixed says what would change for each standard finding i serves if it
// passed, as IfFixed does.
func (w *WhatIf) IfFixed(i int) []Change {
	f := w.findings[i]
	fixed := f
	fixed.Status = Pass
	var changes []Change
	for k, s := range w.standards {
		if !slices.Contains(f.NDG, s.Number) {
			continue
		}
		before := w.tallies[k]
		after := before
		after.add(f, -1)
		after.add(fixed, 1)
		scoreFrom, _, outcomeFrom := before.result()
		scoreTo, _, outcomeTo := after.result()
		changes = append(changes, Change{Standard: s.Number, ScoreFrom: scoreFrom, ScoreTo: scoreTo, OutcomeFrom: outcomeFrom, OutcomeTo: outcomeTo})
	}
	return changes
}

// IfPassed is each standard's score, coverage and outcome were finding i
// to pass, in the order of the standards; the lists of checks are left out.
func (w *WhatIf) IfPassed(i int) []StandardScore {
	f := w.findings[i]
	fixed := f
	fixed.Status, fixed.RiskAccepted = Pass, false
	out := make([]StandardScore, len(w.standards))
	for k, s := range w.standards {
		t := w.tallies[k]
		if slices.Contains(f.NDG, s.Number) {
			t.add(f, -1)
			t.add(fixed, 1)
		}
		out[k] = StandardScore{Standard: s, Applicable: t.applicable, Determined: t.determined}
		out[k].Score, out[k].Coverage, out[k].Outcome = t.result()
	}
	return out
}
