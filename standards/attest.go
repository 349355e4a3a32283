package standards

import (
	"fmt"
	"slices"
	"time"
)

// NeedsAttestation reports whether a person must answer the item for a
// standard to be Met: a mandatory item a scan cannot fully evidence.
func (it DSPTItem) NeedsAttestation() bool { return it.Mandatory && it.Machine != "strong" }

// Counts reports whether an attestation counts towards an outcome: it has
// an answer and is not past its next review.
func (a Attestation) Counts(now time.Time) bool { return a.Answered() && !a.Expired(now) }

// Describe says who attested what and when, kept apart from machine
// evidence: "met: attested by Practice Manager on 2026-05-02, not machine-verified".
func (a Attestation) Describe(now time.Time) string {
	if !a.Answered() {
		return "not answered"
	}
	who := a.Owner
	if who == "" {
		who = "the practice"
	}
	s := fmt.Sprintf("%s: attested by %s", a.Answer, who)
	if !a.Reviewed.IsZero() {
		s += " on " + a.Reviewed.String()
	}
	s += ", not machine-verified"
	if a.Expired(now) {
		s += fmt.Sprintf("; expired (review was due %s), does not count", a.NextReview)
	}
	return s
}

// StandardAttestations is what a practice file says of one standard.
type StandardAttestations struct {
	// Outcome is judged from the counted attestations alone (ScoringRule);
	// NotAssessed when none counts.
	Outcome Outcome
	// Items are the standard's attestations, in the file's order.
	Items []Attestation
	// Counted is how many of Items count.
	Counted int
	// Outstanding are the standard's items that need a person's answer
	// and have no counted "met" (missing, partly, not met or expired).
	Outstanding []string
}

// Attested judges one standard's attestations as ScoringRule says. items
// are the toolkit's items; an attestation naming the standard itself
// ("NDG 3") stands for a standard none of whose items needs one.
func Attested(standard int, items []DSPTItem, atts []Attestation, now time.Time) StandardAttestations {
	var sa StandardAttestations
	met := map[string]bool{}
	notMet := false
	for _, a := range atts {
		if a.Standard != standard {
			continue
		}
		sa.Items = append(sa.Items, a)
		if !a.Counts(now) {
			continue
		}
		sa.Counted++
		met[a.Item] = a.Answer == AnswerMet
		if a.Answer == AnswerNotMet && mandatoryOrStandard(a.Item, standard, items) {
			notMet = true
		}
	}
	listed := false
	for _, it := range items {
		if it.Standard != standard {
			continue
		}
		listed = true
		if it.NeedsAttestation() && !met[it.ID] {
			sa.Outstanding = append(sa.Outstanding, it.ID)
		}
	}
	// A standard the toolkit lists no items for is answered as a whole
	// ("NDG 3"); one whose items a machine evidences needs no answer.
	if !listed && !met[StandardItem(standard)] {
		sa.Outstanding = append(sa.Outstanding, StandardItem(standard))
	}
	switch {
	case sa.Counted == 0:
		sa.Outcome = NotAssessed
	case notMet:
		sa.Outcome = NotMet
	case len(sa.Outstanding) == 0:
		sa.Outcome = Met
	default:
		sa.Outcome = Approaching
	}
	return sa
}

// StandardItem is how a practice file names a standard as a whole: "NDG 3".
func StandardItem(standard int) string { return fmt.Sprintf("NDG %d", standard) }

func mandatoryOrStandard(id string, standard int, items []DSPTItem) bool {
	if id == StandardItem(standard) {
		return true
	}
	i := slices.IndexFunc(items, func(it DSPTItem) bool { return it.ID == id })
	return i >= 0 && items[i].Mandatory
}

// Combine is a standard's outcome from its machine and attested outcomes
// as ScoringRule says. outstanding is true when a practice file was used
// and some item needing a person's answer has no counted "met".
func Combine(machine, attested Outcome, outstanding bool) Outcome {
	switch {
	case attested == NotAssessed && machine == Met && outstanding:
		return Approaching
	case attested == NotAssessed:
		return machine
	case machine == NotAssessed:
		return attested
	}
	return Worse(machine, attested)
}

// Worse is the worse of two assessed outcomes.
func Worse(a, b Outcome) Outcome {
	rank := map[Outcome]int{NotMet: 0, Approaching: 1, Met: 2}
	if rank[b] < rank[a] {
		return b
	}
	return a
}
