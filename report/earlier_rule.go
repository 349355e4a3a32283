package report

import (
	"math"
	"slices"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// scoringRule1 is the rule results were scored by before undetermined
// checks counted in the score and "nothing determined" became Not
// assessed. A file that names it and claims what it gives was not
// altered: it is scored again without a note.
const scoringRule1 = `Each standard's score is the severity-weighted share of its checks that pass, ` +
	`counted over the checks the tool could determine (weights: critical 4, high 3, medium 2, low 1; ` +
	`pass counts in full, warn counts half, fail counts nothing). Coverage is the share of its applicable checks ` +
	`that could be determined; unknown and needs_admin are never counted as passes. ` +
	`A standard is Not Met if any critical check fails or its score is below 50; Met if every applicable check ` +
	`was determined and none fails; otherwise Approaching. Overall: Not Met if any standard is Not Met, Met if ` +
	`every assessed standard is Met, otherwise Approaching.`

// byRule1 is the overall outcome and score scoringRule1 gives.
func byRule1(ndg []standards.Standard, findings []standards.Finding) (standards.Outcome, *int) {
	var outcomes []standards.Outcome
	for _, s := range ndg {
		var mine []standards.Finding
		for _, f := range findings {
			if slices.Contains(f.NDG, s.Number) {
				mine = append(mine, f)
			}
		}
		o, _ := rule1(mine)
		outcomes = append(outcomes, o)
	}
	_, score := rule1(findings)
	return standards.Overall(outcomes), score
}

func rule1(findings []standards.Finding) (standards.Outcome, *int) {
	var weight, credit float64
	applicable, determined, failing, criticalFail := 0, 0, 0, false
	for _, f := range findings {
		if f.Status == standards.NotApplicable {
			continue
		}
		applicable++
		if !f.Status.Determined() {
			continue
		}
		determined++
		w := f.Severity.Weight()
		weight += w
		switch f.Status {
		case standards.Pass:
			credit += w
		case standards.Warn:
			credit += w / 2
		case standards.Fail:
			failing++
			criticalFail = criticalFail || f.Severity == standards.Critical
		}
	}
	if applicable == 0 {
		return standards.NotAssessed, nil
	}
	var score *int
	if weight > 0 {
		s := int(math.Round(100 * credit / weight))
		score = &s
	}
	switch {
	case criticalFail || score != nil && *score < 50:
		return standards.NotMet, score
	case determined == applicable && failing == 0:
		return standards.Met, score
	}
	return standards.Approaching, score
}
