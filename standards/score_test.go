package standards

import "testing"

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
			name:     "unknown is never a pass",
			findings: []Finding{f("a", Critical, Pass, 8), f("b", Critical, Unknown, 8)},
			want8:    StandardScore{Score: intp(100), Coverage: 0.5, Outcome: Approaching},
			overall:  Approaching,
		},
		{
			name:     "nothing determined: no score",
			findings: []Finding{f("a", Critical, NeedsAdmin, 8)},
			want8:    StandardScore{Score: nil, Coverage: 0, Outcome: Approaching},
			overall:  Approaching,
		},
		{
			name:     "not applicable is left out",
			findings: []Finding{f("a", High, NotApplicable, 8), f("b", High, Pass, 8)},
			want8:    StandardScore{Score: intp(100), Coverage: 1, Outcome: Met},
			overall:  Met,
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
