package standards

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// randomFindings are n findings of every status, severity and risk, each
// serving up to three standards (a standard named twice, or one that does
// not exist, included).
func randomFindings(rng *rand.Rand, n int) []Finding {
	out := make([]Finding, n)
	for i := range out {
		ndg := make([]int, 1+rng.IntN(3))
		for k := range ndg {
			ndg[k] = 1 + rng.IntN(11)
		}
		out[i] = Finding{
			CheckID: fmt.Sprint("c", i), Severity: Severity(1 + rng.IntN(4)), Status: Status(rng.IntN(6)),
			NDG: ndg, RiskAccepted: rng.IntN(4) == 0,
		}
	}
	return out
}

// withoutLists is a scorecard without the lists of checks, which With does
// not fill in for the standards that change.
func withoutLists(c Scorecard) Scorecard {
	out := c
	out.Standards = make([]StandardScore, len(c.Standards))
	for k, s := range c.Standards {
		s.Checks, s.Failing = nil, nil
		out.Standards[k] = s
	}
	return out
}

// What one changed finding does, worked out from the sums, is what scoring
// every finding again gives, for every finding of many random machines.
func TestRescorerAgreesWithScoringAgain(t *testing.T) {
	data, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ndg := data.NDG.Standards
	rng := rand.New(rand.NewPCG(19, 27))
	for round := range 200 {
		findings := randomFindings(rng, 1+rng.IntN(40))
		r := NewRescorer(ndg, findings)
		if !reflect.DeepEqual(r.Card(), Score(ndg, findings)) {
			t.Fatalf("round %d: the card differs from Score", round)
		}
		for i := range findings {
			f := randomFindings(rng, 1)[0]
			changed := append([]Finding(nil), findings...)
			changed[i] = f
			if got, want := withoutLists(r.With(i, f)), withoutLists(Score(ndg, changed)); !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d, finding %d changed to %+v:\n got %+v\nwant %+v", round, i, f, got, want)
			}
			if got, want := r.IfFixed(i), IfFixed(ndg, findings, i); !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d, finding %d fixed: got %v, want %v", round, i, got, want)
			}
		}
	}
}
