package standards

import (
	"fmt"
	"slices"
	"testing"
)

func intp(n int) *int { return &n }

func TestScore(t *testing.T) {
	stds := []Standard{{Number: 8, Title: "Unsupported systems"}, {Number: 9, Title: "IT protection"}, {Number: 3, Title: "Training"}}
	f := func(id string, sev Severity, st Status, ndg ...int) Finding {
		return Finding{CheckID: id, Severity: sev, Status: st, NDG: ndg}
	}
	tests := []struct {
		name     string
		findings []Finding
		want8    StandardScore
		overall  Outcome
	}{
		{
			name:     "all pass",
			findings: []Finding{f("a", Critical, Pass, 8), f("b", High, Pass, 8, 9)},
			want8:    StandardScore{Score: intp(100), Coverage: 1, Outcome: Met},
			overall:  Met,
		},
		{
			name:     "critical fail is not met whatever the score",
			findings: []Finding{f("a", Critical, Fail, 8), f("b", Low, Pass, 8), f("c", Low, Pass, 9)},
			want8:    StandardScore{Score: intp(20), Coverage: 1, Outcome: NotMet},
			overall:  NotMet,
		},
		{
			name:     "high fail, score 57: approaching",
			findings: []Finding{f("a", Critical, Pass, 8), f("b", High, Fail, 8)},
			want8:    StandardScore{Score: intp(57), Coverage: 1, Outcome: Approaching},
			overall:  Approaching,
		},
		{
			name:     "warn counts half",
			findings: []Finding{f("a", Critical, Warn, 8), f("b", Critical, Pass, 8)},
			want8:    StandardScore{Score: intp(75), Coverage: 1, Outcome: Met},
			overall:  Met,
		},
		{
			name:     "unknown is never a pass and scores as a failure would",
			findings: []Finding{f("a", Critical, Pass, 8), f("b", Critical, Unknown, 8)},
			want8:    StandardScore{Score: intp(50), Coverage: 0.5, Outcome: Approaching},
			overall:  Approaching,
		},
		{
			name:     "nothing determined: no score, not assessed",
			findings: []Finding{f("a", Critical, NeedsAdmin, 8)},
			want8:    StandardScore{Score: nil, Coverage: 0, Outcome: NotAssessed},
			overall:  NotAssessed,
		},
		{
			name:     "not applicable is left out",
			findings: []Finding{f("a", High, NotApplicable, 8), f("b", High, Pass, 8)},
			want8:    StandardScore{Score: intp(100), Coverage: 1, Outcome: Met},
			overall:  Met,
		},
		{
			name:     "accepted critical failure: approaching, never met",
			findings: []Finding{{CheckID: "a", Severity: Critical, Status: Fail, NDG: []int{8}, RiskAccepted: true}, f("b", Low, Pass, 8)},
			want8:    StandardScore{Score: intp(20), Coverage: 1, Outcome: Approaching},
			overall:  Approaching,
		},
		{
			name:     "accepted failure beside an unaccepted critical one: not met",
			findings: []Finding{{CheckID: "a", Severity: High, Status: Fail, NDG: []int{8}, RiskAccepted: true}, f("b", Critical, Fail, 8)},
			want8:    StandardScore{Score: intp(0), Coverage: 1, Outcome: NotMet},
			overall:  NotMet,
		},
		{
			name:     "low score without a critical fail",
			findings: []Finding{f("a", High, Fail, 8), f("b", High, Fail, 8), f("c", Low, Pass, 8)},
			want8:    StandardScore{Score: intp(14), Coverage: 1, Outcome: NotMet},
			overall:  NotMet,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			card := Score(stds, tt.findings)
			got := card.Standards[0]
			if !sameScore(got.Score, tt.want8.Score) || got.Coverage != tt.want8.Coverage || got.Outcome != tt.want8.Outcome {
				t.Errorf("standard 8: score %v coverage %v outcome %s; want %v %v %s", deref(got.Score), got.Coverage, got.Outcome, deref(tt.want8.Score), tt.want8.Coverage, tt.want8.Outcome)
			}
			if card.Standards[2].Outcome != NotAssessed {
				t.Errorf("standard 3 with no checks: %s, want %s", card.Standards[2].Outcome, NotAssessed)
			}
			if card.Outcome != tt.overall {
				t.Errorf("overall %s, want %s", card.Outcome, tt.overall)
			}
		})
	}
}

func sameScore(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestIfFixed(t *testing.T) {
	stds := []Standard{{Number: 8}, {Number: 9}}
	findings := []Finding{
		{CheckID: "os", Severity: Critical, Status: Fail, NDG: []int{8}},
		{CheckID: "patch", Severity: Critical, Status: Pass, NDG: []int{8}},
		{CheckID: "fw", Severity: High, Status: Pass, NDG: []int{9}},
	}
	changes := IfFixed(stds, findings, 0)
	if len(changes) != 1 {
		t.Fatalf("changes = %+v, want one for standard 8", changes)
	}
	c := changes[0]
	if c.Standard != 8 || *c.ScoreFrom != 50 || *c.ScoreTo != 100 || c.OutcomeFrom != NotMet || c.OutcomeTo != Met {
		t.Errorf("change = %s", c)
	}
	if findings[0].Status != Fail {
		t.Error("IfFixed changed its input")
	}
}

// TestUnknownNeverScoresAboveFail replaces, in every combination of four
// checks' statuses and severities, one check's failure by each status the
// tool gives when it cannot tell, and requires the score to be no higher.
func TestUnknownNeverScoresAboveFail(t *testing.T) {
	statuses := []Status{Pass, Warn, Fail, Unknown, NeedsAdmin, NotApplicable}
	sevs := []Severity{Low, Medium, High, Critical}
	stds := []Standard{{Number: 8}}
	cases := 0
	var walk func(fs []Finding)
	walk = func(fs []Finding) {
		if len(fs) < 3 {
			for _, st := range statuses {
				for _, sv := range sevs {
					walk(append(slices.Clone(fs), Finding{CheckID: fmt.Sprint(len(fs)), Severity: sv, Status: st, NDG: []int{8}}))
				}
			}
		}
		for _, sv := range sevs {
			failing := append(slices.Clone(fs), Finding{CheckID: "x", Severity: sv, Status: Fail, NDG: []int{8}})
			failed := Score(stds, failing).Standards[0]
			for _, undetermined := range []Status{Unknown, NeedsAdmin} {
				unread := slices.Clone(failing)
				unread[len(unread)-1].Status = undetermined
				got := Score(stds, unread).Standards[0]
				cases++
				if got.Score != nil && failed.Score != nil && *got.Score > *failed.Score {
					t.Fatalf("%v: %s scores %d, a failure %d", unread, undetermined, *got.Score, *failed.Score)
				}
				if got.Score != nil && failed.Score == nil {
					t.Fatalf("%v: %s has a score where a failure has none", unread, undetermined)
				}
				if got.Outcome == Met {
					t.Fatalf("%v: %s leaves the standard Met", unread, undetermined)
				}
			}
		}
	}
	walk(nil)
	if cases < 10000 {
		t.Fatalf("only %d combinations tried", cases)
	}
}

// TestAcceptedRiskNeverMeets tries every combination of three checks with
// accepted failures: the outcome is never Met and never better than with
// the failures passing, and never worse than with them unaccepted.
func TestAcceptedRiskNeverMeets(t *testing.T) {
	statuses := []Status{Pass, Warn, Fail, Unknown, NotApplicable}
	sevs := []Severity{Low, High, Critical}
	rank := map[Outcome]int{NotMet: 0, Approaching: 1, Met: 2, NotAssessed: 1}
	stds := []Standard{{Number: 8}}
	var walk func(fs []Finding)
	walk = func(fs []Finding) {
		if len(fs) < 3 {
			for _, st := range statuses {
				for _, sv := range sevs {
					walk(append(slices.Clone(fs), Finding{CheckID: fmt.Sprint(len(fs)), Severity: sv, Status: st, NDG: []int{8}}))
				}
			}
			return
		}
		for _, sv := range sevs {
			plain := append(slices.Clone(fs), Finding{CheckID: "x", Severity: sv, Status: Fail, NDG: []int{8}})
			accepted := slices.Clone(plain)
			accepted[3].RiskAccepted = true
			a, p := Score(stds, accepted).Standards[0], Score(stds, plain).Standards[0]
			if a.Outcome == Met {
				t.Fatalf("%v: an accepted risk gives Met", accepted)
			}
			if rank[a.Outcome] < rank[p.Outcome] {
				t.Fatalf("%v: accepting a risk makes %s worse than %s", accepted, a.Outcome, p.Outcome)
			}
			if !sameScore(a.Score, p.Score) || !slices.Equal(a.Failing, p.Failing) {
				t.Fatalf("%v: accepting a risk changes the score or hides the failure", accepted)
			}
		}
	}
	walk(nil)
}
