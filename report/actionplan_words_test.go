package report

import (
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// An action on an item says what the practice file lacks: an answer, a
// review, or an answer that meets it.
func TestAnswerActionSaysWhatIsMissing(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	att := func(item string, a standards.Answer, next string) standards.Attestation {
		return standards.Attestation{Item: item, Standard: 3, Answer: a, Reviewed: standards.MustDate("2025-11-01"), NextReview: standards.MustDate(next)}
	}
	atts := []standards.Attestation{att("3.2.1", standards.AnswerMet, "2026-11-01"), att("1.1.3", standards.AnswerPartly, "2027-11-01"), att("1.1.5", standards.AnswerNotMet, "2027-11-01")}
	ndg := []standards.Standard{{Number: 3, Title: "Training"}, {Number: 9, Title: "IT protection"}}
	for _, tt := range []struct{ item, want string }{
		{"3.2.1", "review again 3.2.1 (training)"},
		{"1.1.3", "complete 1.1.3 (training)"},
		{"1.1.5", "meet 1.1.5 (training)"},
		{"2.1.1", "answer 2.1.1 (training)"},
	} {
		a := Action{Kind: "answer", Item: tt.item, Answered: answeredAs(tt.item, atts, now), Changes: []OutcomeChange{{Standard: 3, To: standards.Met}}}
		if got := a.describe(ndg); got[:len(tt.want)] != tt.want {
			t.Errorf("%s: %q, want it to start %q", tt.item, got, tt.want)
		}
	}
	if got := lowerFirst("IT protection"); got != "IT protection" {
		t.Errorf("lowerFirst kept no acronym: %q", got)
	}
}
