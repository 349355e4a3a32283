package standards

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// ifFixedAnew is IfFixed by scoring every standard twice from scratch.
func ifFixedAnew(standards []Standard, findings []Finding, i int) []Change {
	before := Score(standards, findings)
	fixed := slices.Clone(findings)
	fixed[i].Status = Pass
	after := Score(standards, fixed)
	var changes []Change
	for k, b := range before.Standards {
		if slices.Contains(findings[i].NDG, b.Number) {
			a := after.Standards[k]
			changes = append(changes, Change{Standard: b.Number, ScoreFrom: b.Score, ScoreTo: a.Score, OutcomeFrom: b.Outcome, OutcomeTo: a.Outcome})
		}
	}
	return changes
}

// TestWhatIfMatchesScoringAnew: the tallied answer is the one scoring the
// machine anew gives, for every finding of many mixed machines.
func TestWhatIfMatchesScoringAnew(t *testing.T) {
	data, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ndg := data.NDG.Standards
	statuses := []Status{Pass, Warn, Fail, Unknown, NeedsAdmin, NotApplicable}
	severities := []Severity{Low, Medium, High, Critical}
	rng := rand.New(rand.NewPCG(1, 19))
	for machine := range 300 {
		findings := make([]Finding, 1+rng.IntN(12))
		for i := range findings {
			findings[i] = Finding{CheckID: "c", Status: statuses[rng.IntN(len(statuses))], Severity: severities[rng.IntN(len(severities))],
				NDG: []int{1 + rng.IntN(10)}, RiskAccepted: rng.IntN(4) == 0}
			if rng.IntN(3) == 0 {
				findings[i].NDG = append(findings[i].NDG, 1+rng.IntN(10))
			}
		}
		w := NewWhatIf(ndg, findings)
		for i := range findings {
			if got, want := w.IfFixed(i), ifFixedAnew(ndg, findings, i); !reflect.DeepEqual(got, want) {
				t.Fatalf("machine %d finding %d %+v: got %v, want %v", machine, i, findings[i], got, want)
			}
			fixed := slices.Clone(findings)
			fixed[i].Status, fixed[i].RiskAccepted = Pass, false
			want := Score(ndg, fixed).Standards
			for k, got := range w.IfPassed(i) {
				got.Checks, got.Failing = want[k].Checks, want[k].Failing
				if !reflect.DeepEqual(got, want[k]) {
					t.Fatalf("machine %d finding %d standard %d: got %+v, want %+v", machine, i, k, got, want[k])
				}
			}
		}
	}
}
