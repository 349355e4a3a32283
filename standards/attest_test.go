package standards

import (
	"slices"
	"testing"
	"time"
)

func TestAttested(t *testing.T) {
	data, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	items := data.DSPT.Items
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	att := func(item string, std int, a Answer, next string) Attestation {
		return Attestation{Item: item, Standard: std, Answer: a, Owner: "Practice Manager", Reviewed: MustDate("2026-05-02"), NextReview: MustDate(next)}
	}
	tests := []struct {
		name        string
		standard    int
		atts        []Attestation
		want        Outcome
		outstanding []string
	}{
		{"nothing answered", 3, nil, NotAssessed, []string{"3.2.1"}},
		{"training attested", 3, []Attestation{att("3.2.1", 3, AnswerMet, "2027-05-01")}, Met, nil},
		{"training attested, review passed", 3, []Attestation{att("3.2.1", 3, AnswerMet, "2026-11-26")}, NotAssessed, []string{"3.2.1"}},
		{"review due today still counts", 3, []Attestation{att("3.2.1", 3, AnswerMet, "2026-11-27")}, Met, nil},
		{"one of two mandatory items", 2, []Attestation{att("2.1.1", 2, AnswerMet, "2027-05-01")}, Approaching, []string{"2.2.1"}},
		{"partly", 2, []Attestation{att("2.1.1", 2, AnswerMet, "2027-05-01"), att("2.2.1", 2, AnswerPartly, "2027-05-01")}, Approaching, []string{"2.2.1"}},
		{"a mandatory item not met", 2, []Attestation{att("2.1.1", 2, AnswerNotMet, "2027-05-01"), att("2.2.1", 2, AnswerMet, "2027-05-01")}, NotMet, []string{"2.1.1"}},
		{"an optional item not met", 5, []Attestation{att("5.1.1", 5, AnswerMet, "2027-05-01"), att("5.2.1", 5, AnswerNotMet, "2027-05-01")}, Met, nil},
		{"another standard's answers", 3, []Attestation{att("2.1.1", 2, AnswerMet, "2027-05-01")}, NotAssessed, []string{"3.2.1"}},
		// 8.3.1, the one mandatory item of standard 8, is a machine's to evidence.
		{"nothing for a person to answer", 8, nil, NotAssessed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Attested(tt.standard, items, tt.atts, now)
			if got.Outcome != tt.want || !slices.Equal(got.Outstanding, tt.outstanding) {
				t.Errorf("got %s outstanding %q; want %s %q", got.Outcome, got.Outstanding, tt.want, tt.outstanding)
			}
		})
	}
}

// A standard the item list has no items for is answered as a whole.
func TestAttestedStandardWithoutItems(t *testing.T) {
	items := []DSPTItem{{ID: "3.2.1", Standard: 3, Mandatory: true, Machine: "procedural"}}
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	if got := Attested(5, items, nil, now); !slices.Equal(got.Outstanding, []string{"NDG 5"}) {
		t.Errorf("outstanding %q, want NDG 5", got.Outstanding)
	}
	answer := Attestation{Item: "NDG 5", Standard: 5, Answer: AnswerMet, Reviewed: MustDate("2026-05-02"), NextReview: MustDate("2027-05-01")}
	if got := Attested(5, items, []Attestation{answer}, now); got.Outcome != Met || len(got.Outstanding) != 0 {
		t.Errorf("answered as a whole: %s, outstanding %q", got.Outcome, got.Outstanding)
	}
}

func TestCombine(t *testing.T) {
	tests := []struct {
		machine, attested Outcome
		outstanding       bool
		want              Outcome
	}{
		{NotAssessed, NotAssessed, true, NotAssessed},
		{Met, NotAssessed, false, Met},
		{Met, NotAssessed, true, Approaching},
		{NotAssessed, Met, false, Met},
		{Met, Approaching, true, Approaching},
		{Approaching, Met, false, Approaching},
		{Met, NotMet, true, NotMet},
		{NotMet, Met, false, NotMet},
	}
	for _, tt := range tests {
		if got := Combine(tt.machine, tt.attested, tt.outstanding); got != tt.want {
			t.Errorf("Combine(%s, %s, %v) = %s, want %s", tt.machine, tt.attested, tt.outstanding, got, tt.want)
		}
	}
}

func TestAttestationDescribe(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	a := Attestation{Item: "3.2.1", Standard: 3, Answer: AnswerMet, Owner: "Practice Manager", Reviewed: MustDate("2026-05-02"), NextReview: MustDate("2027-05-01")}
	if got, want := a.Describe(now), "met: attested by Practice Manager on 2026-05-02, not machine-verified"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
	a.NextReview = MustDate("2026-11-01")
	if got, want := a.Describe(now), "met: attested by Practice Manager on 2026-05-02, not machine-verified; expired (review was due 2026-11-01), does not count"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
}
