package report

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// PracticeUse says which practice file a report used, or why it could not.
type PracticeUse struct {
	File string `json:"file"`
	Name string `json:"name,omitempty"`
	ODS  string `json:"ods_code,omitempty"`
	Used bool   `json:"used"`
	// Problem is why the file was not used; the report is then judged on
	// the machine alone.
	Problem string `json:"problem,omitempty"`
}

// AttestationResult is one attested item as a report shows it, apart from
// the machine evidence.
type AttestationResult struct {
	standards.Attestation
	Expired bool `json:"expired"`
	Counts  bool `json:"counts"`
	// Text is "met: attested by Practice Manager on 2026-05-02, not machine-verified".
	Text string `json:"text"`
}

// RiskResult is the accepted risk a failing check is labelled with. It
// never changes the check's status.
type RiskResult struct {
	Owner                string         `json:"owner"`
	ApprovedBy           string         `json:"approved_by"`
	Expires              standards.Date `json:"expires"`
	Reason               string         `json:"reason"`
	CompensatingControls string         `json:"compensating_controls,omitempty"`
	Expired              bool           `json:"expired"`
	DaysLeft             int            `json:"days_left"`
	// Text is "risk accepted by OWNER until DATE, compensating: ...".
	Text string `json:"text"`
}

// Evidenced counts the standards by what evidences them. A standard with
// both machine checks and counted attestations counts in both.
type Evidenced struct {
	Machine     int `json:"machine"`
	Attestation int `json:"attestation"`
	None        int `json:"none"`
	// Both counts the standards in Machine that are attested too.
	Both int `json:"both"`
}

// String says it as page 1 does, each standard counted once.
func (e Evidenced) String() string {
	s := fmt.Sprintf("%d of 10 standards evidenced by machine checks", e.Machine)
	if e.Both > 0 {
		s += fmt.Sprintf(" (%d of them also attested)", e.Both)
	}
	return s + fmt.Sprintf(", %d by attestation alone, %d not at all", e.Attestation-e.Both, e.None)
}

// dsptData is the toolkit's items this build judges attestations against.
var dsptData = sync.OnceValue(func() []standards.DSPTItem {
	d, err := standards.Load()
	if err != nil {
		return nil
	}
	return d.DSPT.Items
})

// ApplyPractice adds what a practice file says to one machine's report:
// attestations per standard, accepted risks on the findings they cover, and
// the action plan's owners. file is the practice file as given; problem,
// when not nil, is why it could not be used (the report says so and is
// scored on the machine alone). A nil p with a nil problem means no file.
func ApplyPractice(rep *Report, file string, p *standards.Practice, problem error, now time.Time) {
	applyPractice(rep, file, p, problem, now, true)
}

// ApplyPracticeScores is ApplyPractice without the action plan, for a
// reader of many results (the fleet roll-up) that plans for them all.
func ApplyPracticeScores(rep *Report, file string, p *standards.Practice, problem error, now time.Time) {
	applyPractice(rep, file, p, problem, now, false)
}

func applyPractice(rep *Report, file string, p *standards.Practice, problem error, now time.Time, plan bool) {
	switch {
	case problem != nil:
		rep.Practice = &PracticeUse{File: file, Problem: problem.Error()}
		rep.DataNotes = append(rep.DataNotes, fmt.Sprintf("The practice file %s was not used: %v. The report is judged on the machine alone.", file, problem))
		p = nil
	case p != nil:
		rep.Practice = &PracticeUse{File: file, Name: p.Name, ODS: p.ODS, Used: true}
	}
	j := judgement{ndg: standardsOf(rep), items: dsptData(), practice: p != nil, now: now}
	j.apply(rep, p, plan)
}

// PracticeOutcomes is what a practice file's attestations give each
// standard (by number), the same on every host: the attested outcome and
// whether items needing an answer are outstanding. Nil p gives none.
func PracticeOutcomes(ndg []standards.Standard, p *standards.Practice, now time.Time) map[int]standards.StandardAttestations {
	if p == nil {
		return nil
	}
	out := map[int]standards.StandardAttestations{}
	for _, s := range ndg {
		out[s.Number] = standards.Attested(s.Number, dsptData(), p.Attestations, now)
	}
	return out
}

// ItemsOf is the current toolkit's items a check serves.
func ItemsOf(m standards.Mappings) []string { return itemsOf(m, dsptData()) }

// OwnerOf is the role the practice file makes answerable for the items,
// or for the standards when no item names one.
func OwnerOf(items []string, ndg []int, p *standards.Practice) string {
	if p == nil {
		return ""
	}
	return ownerOf(items, ndg, p.Attestations)
}

// standardsOf is the report's own standards as scoring needs them.
func standardsOf(rep *Report) []standards.Standard {
	out := make([]standards.Standard, len(rep.Standards))
	for i, s := range rep.Standards {
		out[i] = standards.Standard{Number: s.Number, Title: s.Title, MachineEvidence: s.MachineEvidence}
	}
	return out
}

// apply scores the report's verdicts with what the practice file says
// (p may be nil) and writes the outcomes, evidence counts and, when plan
// is set, the action plan.
func (j judgement) apply(rep *Report, p *standards.Practice, plan bool) []standards.Finding {
	now := j.now
	labelRisks(rep, p, now)
	findings := findingsOf(rep.Results)
	var atts []standards.Attestation
	if p != nil {
		atts = p.Attestations
	}
	card, outcomes, sas := j.score(findings, atts)
	rep.Score, rep.Coverage = card.Score, card.Coverage
	rep.Outcome = standards.Overall(outcomes)
	rep.Standards = standardResults(card)
	rep.Evidenced = &Evidenced{}
	for i := range rep.Standards {
		s := &rep.Standards[i]
		s.MachineOutcome = s.Outcome
		s.Outcome = outcomes[i]
		if s.MachineOutcome != standards.NotAssessed {
			rep.Evidenced.Machine++
			s.EvidencedBy = append(s.EvidencedBy, "machine")
		}
		if sas[i].Counted > 0 {
			rep.Evidenced.Attestation++
			if len(s.EvidencedBy) > 0 {
				rep.Evidenced.Both++
			}
			s.EvidencedBy = append(s.EvidencedBy, "attestation")
		}
		if len(s.EvidencedBy) == 0 {
			rep.Evidenced.None++
		}
		for _, a := range sas[i].Items {
			s.Attestations = append(s.Attestations, AttestationResult{Attestation: a, Expired: a.Expired(now), Counts: a.Counts(now), Text: a.Describe(now)})
		}
		if p != nil {
			s.Outstanding = sas[i].Outstanding
		}
	}
	rep.ActionPlan = nil
	if plan {
		rep.ActionPlan = j.plan(rep.Results, findings, atts)
	}
	return findings
}

// judgement is what scoring with a practice file needs besides verdicts.
type judgement struct {
	ndg      []standards.Standard
	items    []standards.DSPTItem
	practice bool
	now      time.Time
}

// score is the machine's scorecard and each standard's outcome with the
// attestations, as ScoringRule says.
func (j judgement) score(findings []standards.Finding, atts []standards.Attestation) (standards.Scorecard, []standards.Outcome, []standards.StandardAttestations) {
	card := standards.Score(j.ndg, findings)
	sas := make([]standards.StandardAttestations, len(card.Standards))
	for i, s := range card.Standards {
		sas[i] = standards.Attested(s.Number, j.items, atts, j.now)
	}
	return card, j.combine(card, sas), sas
}

// combine is each standard's outcome from the machine's and the attested.
func (j judgement) combine(card standards.Scorecard, sas []standards.StandardAttestations) []standards.Outcome {
	outcomes := make([]standards.Outcome, len(card.Standards))
	for i, s := range card.Standards {
		outcomes[i] = standards.Combine(s.Outcome, sas[i].Outcome, j.practice && len(sas[i].Outstanding) > 0)
	}
	return outcomes
}

func findingsOf(results []CheckResult) []standards.Finding {
	findings := make([]standards.Finding, len(results))
	for i, r := range results {
		findings[i] = standards.Finding{CheckID: r.ID, Severity: r.Severity, Status: r.Status, NDG: r.Mappings.NDG,
			RiskAccepted: r.AcceptedRisk != nil && !r.AcceptedRisk.Expired}
	}
	return findings
}

// labelRisks labels each failing check an accepted risk covers on this
// host; an expired risk is labelled expired and counts for nothing.
func labelRisks(rep *Report, p *standards.Practice, now time.Time) {
	for i := range rep.Results {
		r := &rep.Results[i]
		r.AcceptedRisk = nil
		if p == nil || r.Status != standards.Fail {
			continue
		}
		for _, risk := range p.Risks {
			if risk.Check == r.ID && risk.Covers(rep.Host.Name) {
				r.AcceptedRisk = riskResult(risk, now)
				if !r.AcceptedRisk.Expired {
					break
				}
			}
		}
	}
}

func riskResult(risk standards.AcceptedRisk, now time.Time) *RiskResult {
	rr := &RiskResult{Owner: risk.Owner, ApprovedBy: risk.ApprovedBy, Expires: risk.Expires, Reason: risk.Reason,
		CompensatingControls: risk.CompensatingControls, Expired: risk.Expired(now), DaysLeft: standards.DayOf(now).DaysUntil(risk.Expires)}
	rr.Text = fmt.Sprintf("risk accepted by %s until %s", risk.Owner, risk.Expires)
	if risk.CompensatingControls != "" {
		rr.Text += ", compensating: " + risk.CompensatingControls
	}
	if rr.Expired {
		rr.Text = fmt.Sprintf("accepted risk expired on %s (was accepted by %s); counts as an ordinary failure", risk.Expires, risk.Owner)
		rr.DaysLeft = 0
	}
	return rr
}

// itemsOf is the current toolkit's items a check serves: the item IDs its
// DSPT mappings give for v8 that the toolkit's list has.
func itemsOf(m standards.Mappings, items []standards.DSPTItem) []string {
	var out []string
	for _, id := range m.DSPTItems {
		known := slices.ContainsFunc(items, func(it standards.DSPTItem) bool { return it.ID == id })
		if known && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
