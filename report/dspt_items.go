package report

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// The states of a toolkit item in the pack.
const (
	ItemEvidenced = "evidenced"
	ItemGap       = "gap"
	ItemNone      = "no evidence (not mandatory)"
)

// DSPTRow is one evidence item of the current toolkit as the pack shows
// it: the checks and the attestation behind it, and either a sentence a
// practice can paste as evidence or the gap with its planned action.
type DSPTRow struct {
	Item        standards.DSPTItem
	Results     []CheckResult
	Attestation *AttestationResult
	State       string
	// Text is the evidence sentence, or for a gap "Gap: ... Planned
	// action: ... (owner)".
	Text string
}

// DSPTRows is one row per item of the toolkit, in the toolkit's order.
func DSPTRows(rep *Report) []DSPTRow {
	items := dsptData()
	atts := attestationsOf(rep)
	rows := make([]DSPTRow, 0, len(items))
	for _, it := range items {
		row := DSPTRow{Item: it}
		for _, r := range rep.Results {
			if r.Status != standards.NotApplicable && slices.Contains(itemsOf(r.Mappings, items), it.ID) {
				row.Results = append(row.Results, r)
			}
		}
		if i := slices.IndexFunc(atts, func(a AttestationResult) bool { return a.Item == it.ID }); i >= 0 {
			row.Attestation = &atts[i]
		}
		row.State, row.Text = judgeItem(rep, row, atts)
		rows = append(rows, row)
	}
	return rows
}

func attestationsOf(rep *Report) []AttestationResult {
	var out []AttestationResult
	for _, s := range rep.Standards {
		out = append(out, s.Attestations...)
	}
	return out
}

// judgeItem says whether the row is evidenced or a gap, and in words.
func judgeItem(rep *Report, row DSPTRow, atts []AttestationResult) (string, string) {
	var gaps []string
	for _, r := range row.Results {
		switch {
		case r.Status == standards.Fail && r.AcceptedRisk != nil && !r.AcceptedRisk.Expired:
			gaps = append(gaps, fmt.Sprintf("%s fails (%s)", r.ID, r.AcceptedRisk.Text))
		case r.Status == standards.Fail:
			gaps = append(gaps, r.ID+" fails")
		case !r.Status.Determined():
			gaps = append(gaps, r.ID+" could not be determined")
		}
	}
	a := row.Attestation
	switch {
	case a != nil && a.Expired:
		gaps = append(gaps, fmt.Sprintf("the practice's answer expired on %s", a.NextReview))
	case a != nil && a.Counts && a.Answer != standards.AnswerMet:
		gaps = append(gaps, fmt.Sprintf("the practice answers %q", a.Answer))
	case row.Item.NeedsAttestation() && (a == nil || !a.Counts):
		gaps = append(gaps, "the practice has not answered it")
	}
	if len(gaps) == 0 && len(row.Results) == 0 && (a == nil || !a.Counts) {
		if !row.Item.Mandatory {
			return ItemNone, "Not evidenced by this pack; not mandatory for Standards Met."
		}
		gaps = append(gaps, "nothing in this pack evidences it")
	}
	if len(gaps) > 0 {
		action, owner := plannedAction(rep, row, atts)
		text := "Gap: " + strings.Join(gaps, "; ") + ". Planned action: " + action
		if owner != "" {
			text += " (" + owner + ")"
		}
		return ItemGap, text + "."
	}
	return ItemEvidenced, itemEvidence(rep, row)
}

// plannedAction is the action plan's entry for the item when it has one,
// else the fix of its first failing check, else answering it.
func plannedAction(rep *Report, row DSPTRow, atts []AttestationResult) (string, string) {
	plain := make([]standards.Attestation, len(atts))
	for i, a := range atts {
		plain[i] = a.Attestation
	}
	owner := ownerOf([]string{row.Item.ID}, []int{row.Item.Standard}, plain)
	for _, a := range rep.ActionPlan {
		if slices.Contains(a.DSPTItems, row.Item.ID) {
			return a.Text, ""
		}
	}
	for _, r := range row.Results {
		if r.Status == standards.Fail || !r.Status.Determined() {
			return "fix " + r.ID + ": " + r.Remediation, owner
		}
	}
	return "answer " + row.Item.ID + " in the practice file with its evidence", owner
}

// itemEvidence is the sentence a practice pastes as the item's evidence:
// "On 2026-11-27 dspt-audit found on GP-01 (...): ...".
func itemEvidence(rep *Report, row DSPTRow) string {
	var parts []string
	if len(row.Results) > 0 {
		var found []string
		for _, r := range row.Results {
			found = append(found, fmt.Sprintf("%s %s", r.Title, statusWords[r.Status]))
		}
		parts = append(parts, fmt.Sprintf("On %s %s found on %s (%s): %s.", rep.JudgedAt.UTC().Format(time.DateOnly), rep.Tool.Name, rep.Host.Name, rep.Host.OS, strings.Join(found, "; ")))
	}
	if a := row.Attestation; a != nil && a.Counts {
		s := "The practice's answer: " + a.Text
		if a.Evidence != "" {
			s += "; evidence kept at " + a.Evidence
		}
		parts = append(parts, s+".")
	}
	return strings.Join(parts, " ")
}

// unconfirmedNote matches a note in a catalogue's DSPT reference that the
// item number is not confirmed: such notes stay in the catalogue, never in
// what a practice hands to an inspector.
var unconfirmedNote = regexp.MustCompile(`(?i)unconfirmed`)

// DSPTRefs are a check's DSPT references as reports show them: without
// the catalogue's notes that an item number is unconfirmed.
func DSPTRefs(m standards.Mappings) []string {
	out := make([]string, 0, len(m.DSPT))
	for _, ref := range m.DSPT {
		open, end := strings.Index(ref, "("), strings.LastIndex(ref, ")")
		if open < 0 || end < open {
			out = append(out, ref)
			continue
		}
		var kept []string
		for _, part := range strings.Split(ref[open+1:end], ";") {
			if part = strings.TrimSpace(part); part != "" && !unconfirmedNote.MatchString(part) {
				kept = append(kept, part)
			}
		}
		head := strings.TrimSpace(ref[:open])
		if len(kept) > 0 {
			head += " (" + strings.Join(kept, "; ") + ")"
		}
		out = append(out, head+ref[end+1:])
	}
	return out
}

// shownMappings is a check's mappings as a report carries them (DSPTRefs).
func shownMappings(m standards.Mappings) standards.Mappings {
	m.DSPT = DSPTRefs(m)
	return m
}

// DSPTItems are the current toolkit's items this build judges against.
func DSPTItems() []standards.DSPTItem { return dsptData() }
