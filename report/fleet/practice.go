package fleet

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// RiskUse is one accepted risk of the practice file across the fleet.
type RiskUse struct {
	standards.AcceptedRisk
	// Covered are the hosts in the roll-up its patterns name; Failing
	// those of them whose newest result fails the check.
	Covered  []string `json:"hosts_covered"`
	Failing  []string `json:"hosts_failing"`
	Expired  bool     `json:"expired"`
	DaysLeft int      `json:"days_left"`
}

// practiceFigures lists the accepted risks and works out the roll-up's
// action plan once the hosts are tallied.
func (r *Rollup) practiceFigures() {
	if p := r.Practice; p != nil {
		today := standards.DayOf(r.GeneratedAt)
		for _, risk := range p.Risks {
			use := RiskUse{AcceptedRisk: risk, Expired: risk.Expired(r.GeneratedAt), DaysLeft: max(0, today.DaysUntil(risk.Expires))}
			tally := r.checkTally(risk.Check)
			for _, h := range r.Hosts {
				if !risk.Covers(h.Name) {
					continue
				}
				use.Covered = append(use.Covered, h.Name)
				if s, ok := h.statusOf(tally); ok && s == standards.Fail {
					use.Failing = append(use.Failing, h.Name)
				}
			}
			slices.SortFunc(use.Covered, byLowerName)
			slices.SortFunc(use.Failing, byLowerName)
			r.Risks = append(r.Risks, use)
		}
	}
	r.Evidenced = r.evidenced()
	r.ActionPlan = r.plan()
}

// evidenced counts the standards some host's machine checks assess, those
// the practice file's counted answers cover, and those nothing does.
func (r *Rollup) evidenced() *report.Evidenced {
	e := &report.Evidenced{}
	for _, s := range r.ndg {
		machine := slices.ContainsFunc(r.Hosts, func(h *Host) bool { return h.StandardOutcome(s.Number) != standards.NotAssessed })
		answered := r.attested[s.Number].Counted > 0
		if machine {
			e.Machine++
		}
		if answered {
			e.Attestation++
		}
		if machine && answered {
			e.Both++
		}
		if !machine && !answered {
			e.None++
		}
	}
	return e
}

func byLowerName(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) }

func (r *Rollup) checkTally(id string) *CheckTally {
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (h *Host) statusOf(c *CheckTally) (standards.Status, bool) {
	if c == nil {
		return 0, false
	}
	return h.Status(c)
}

// plan tries, for each check, fixing it on every host where it fails or
// warns, and finding it out on every host where it could not be
// determined; and for each item the practice file leaves outstanding,
// answering it. It keeps those that change the practice's outcomes most.
// Answers are the practice's, judged once: they change no host's outcome.
func (r *Rollup) plan() []report.Action {
	return report.RankActions(r.candidates(), r.ndg)
}

// candidates are every action plan considers that changes something,
// unranked and without their text.
func (r *Rollup) candidates() []report.Action {
	before := r.standardOutcomes(nil, r.attested)
	judge := newRejudge(r)
	var actions []report.Action
	for _, c := range r.Checks {
		for _, kind := range []string{"fix", "find out"} {
			changed := map[*Host][11]byte{}
			for _, h := range r.Hosts {
				if s, ok := h.Status(c); ok && actionKind(s) == kind {
					changed[h] = judge.host(h, c.index)
				}
			}
			if len(changed) == 0 {
				continue
			}
			a := report.Action{Kind: kind, Check: c.ID, Hosts: len(changed), Severity: c.Severity, DSPTItems: c.items,
				Owner: report.OwnerOf(c.items, c.ndg, r.Practice)}
			if kind == "fix" {
				a.Warning = c.Count(standards.Warn)
			}
			actions = r.keep(actions, a, before, changed, r.attested)
		}
	}
	for _, s := range r.ndg {
		for _, id := range r.attested[s.Number].Outstanding {
			answered := append(slices.Clone(r.Practice.Attestations), standards.Attestation{Item: id, Standard: s.Number, Answer: standards.AnswerMet})
			attested := maps.Clone(r.attested)
			attested[s.Number] = standards.Attested(s.Number, judge.items, answered, r.GeneratedAt)
			a := report.Action{Kind: "answer", Item: id, DSPTItems: []string{id}, Owner: report.OwnerOf([]string{id}, []int{s.Number}, r.Practice)}
			if strings.HasPrefix(id, "NDG ") {
				a.DSPTItems = nil
			}
			actions = r.keep(actions, a, before, nil, attested)
		}
	}
	return actions
}

// actionKind is the action a host's verdict on a check calls for: "fix"
// a failure or warning, "find out" what the tool could not determine.
func actionKind(s standards.Status) string {
	switch s {
	case standards.Fail, standards.Warn:
		return "fix"
	case standards.Unknown, standards.NeedsAdmin:
		return "find out"
	}
	return ""
}

// keep adds a to actions when the hosts' changed outcomes, or the
// practice's answers as attested, change the practice's outcomes: Points
// are the hosts newly meeting a standard.
func (r *Rollup) keep(actions []report.Action, a report.Action, before []*StandardTally, changed map[*Host][11]byte, attested map[int]standards.StandardAttestations) []report.Action {
	after := r.standardOutcomes(changed, attested)
	for k, b := range before {
		if b.Outcome != after[k].Outcome {
			a.Changes = append(a.Changes, report.OutcomeChange{Standard: b.Number, From: b.Outcome, To: after[k].Outcome})
			a.Steps += report.OutcomeRank(after[k].Outcome) - report.OutcomeRank(b.Outcome)
		}
		a.Points += after[k].Met - b.Met
	}
	if a.Steps <= 0 && a.Points <= 0 {
		return actions
	}
	return append(actions, a)
}

// standardOutcomes tallies the standards as they would be with some
// hosts' outcomes changed and the practice's answers as attested.
func (r *Rollup) standardOutcomes(changed map[*Host][11]byte, attested map[int]standards.StandardAttestations) []*StandardTally {
	saved := map[*Host][11]byte{}
	for h, codes := range changed {
		saved[h], h.standards = h.standards, codes
	}
	defer func() {
		for h, codes := range saved {
			h.standards = codes
		}
	}()
	out := make([]*StandardTally, len(r.ndg))
	for i, s := range r.ndg {
		out[i] = r.countStandard(s, false, attested[s.Number])
	}
	return out
}

// rejudge scores hosts again with one check passing. Hosts with the same
// verdicts and accepted risks score alike, so each such set is scored once.
type rejudge struct {
	r     *Rollup
	items []standards.DSPTItem
	memo  map[string][11]byte
}

func newRejudge(r *Rollup) *rejudge {
	var items []standards.DSPTItem
	if d, err := standards.Load(); err == nil {
		items = d.DSPT.Items
	}
	return &rejudge{r: r, items: items, memo: map[string][11]byte{}}
}

// host is h's own standards' outcome codes were the check at index fixed
// to pass: its checks and accepted risks, not the practice's answers.
func (j *rejudge) host(h *Host, fixed int) [11]byte {
	var key strings.Builder
	key.Write(h.statuses)
	key.WriteString("|" + strconv.Itoa(fixed))
	accepted := map[int]bool{}
	for _, c := range j.r.Checks {
		if s, ok := h.Status(c); ok && s == standards.Fail && c.index != fixed && j.accepted(c.ID, h.Name) {
			accepted[c.index] = true
			key.WriteString("|" + strconv.Itoa(c.index))
		}
	}
	if codes, ok := j.memo[key.String()]; ok {
		return codes
	}
	findings := make([]standards.Finding, 0, len(j.r.Checks))
	for _, c := range j.r.Checks {
		s, ok := h.Status(c)
		if !ok {
			continue
		}
		f := standards.Finding{CheckID: c.ID, Severity: c.Severity, Status: s, NDG: c.ndg, RiskAccepted: accepted[c.index]}
		if c.index == fixed {
			f.Status = standards.Pass
		}
		findings = append(findings, f)
	}
	var codes [11]byte
	for _, s := range standards.Score(j.r.ndg, findings).Standards {
		if s.Number > 0 && s.Number < len(codes) {
			codes[s.Number], _ = outcomeCode(s.Outcome)
		}
	}
	j.memo[key.String()] = codes
	return codes
}

func (j *rejudge) accepted(check, host string) bool {
	if j.r.Practice == nil {
		return false
	}
	for _, risk := range j.r.Practice.Risks {
		if risk.Check == check && !risk.Expired(j.r.GeneratedAt) && risk.Covers(host) {
			return true
		}
	}
	return false
}

// Text says the risk across the fleet in a line.
func (u RiskUse) Text() string {
	hosts := fmt.Sprintf("%s on %d of %d covered %s", u.Check, len(u.Failing), len(u.Covered), plural(len(u.Covered), "host", "hosts"))
	if len(u.Failing) > 0 {
		hosts += " (" + strings.Join(u.Failing[:min(len(u.Failing), MaxNamed)], ", ") + ")"
	}
	if u.Expired {
		return fmt.Sprintf("%s: accepted risk expired on %s (was accepted by %s); counts as an ordinary failure", hosts, u.Expires, u.Owner)
	}
	s := fmt.Sprintf("%s: risk accepted by %s until %s, %d days left", hosts, u.Owner, u.Expires, u.DaysLeft)
	if u.CompensatingControls != "" {
		s += ", compensating: " + u.CompensatingControls
	}
	return s
}

// practiceFacts are page 1's lines on the practice file: the action plan
// and the accepted risks, each as a label and a line.
func (r *Rollup) practiceFacts() [][2]string {
	var facts [][2]string
	if r.Evidenced != nil {
		facts = append(facts, [2]string{"Evidence", r.Evidenced.String()})
	}
	if r.Practice != nil {
		facts = append(facts, [2]string{"Practice file", strings.TrimSpace(r.Practice.Name + " " + r.Practice.ODS + " (" + r.Practice.File + ")")})
	}
	for i, a := range r.ActionPlan {
		label := ""
		if i == 0 {
			label = "Action plan"
		}
		facts = append(facts, [2]string{label, fmt.Sprintf("%d. %s", i+1, a.Text)})
	}
	for i, u := range r.Risks {
		label := ""
		if i == 0 {
			label = "Accepted risks"
		}
		facts = append(facts, [2]string{label, u.Text()})
	}
	return facts
}
