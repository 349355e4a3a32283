package fleet

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// sheetDSPT is the pack's sheet of toolkit items.
const sheetDSPT = "DSPT"

// DSPTRow is one evidence item of the current toolkit across the fleet:
// the checks behind it (how many hosts pass), the practice's answer, and
// the evidence sentence or the gap with its planned action.
type DSPTRow struct {
	Item        standards.DSPTItem
	Checks      []*CheckTally
	Attestation *standards.Attestation
	State       string // report.ItemEvidenced, ItemGap or ItemNone
	Text        string
}

// DSPTRows is one row per item of the toolkit, in the toolkit's order.
func (r *Rollup) DSPTRows() []DSPTRow {
	var rows []DSPTRow
	for _, it := range report.DSPTItems() {
		row := DSPTRow{Item: it}
		for _, c := range r.Checks {
			if slices.Contains(c.items, it.ID) && c.Hosts() > c.Count(standards.NotApplicable) {
				row.Checks = append(row.Checks, c)
			}
		}
		if p := r.Practice; p != nil {
			if i := slices.IndexFunc(p.Attestations, func(a standards.Attestation) bool { return a.Item == it.ID }); i >= 0 {
				row.Attestation = &p.Attestations[i]
			}
		}
		row.State, row.Text = r.judgeItem(row)
		rows = append(rows, row)
	}
	return rows
}

func (r *Rollup) judgeItem(row DSPTRow) (string, string) {
	now := r.GeneratedAt
	var gaps []string
	for _, c := range row.Checks {
		judged := c.Hosts() - c.Count(standards.NotApplicable)
		if n := c.Count(standards.Fail); n > 0 {
			gaps = append(gaps, fmt.Sprintf("%s fails on %d of %d PCs", c.ID, n, judged))
		}
		if n := c.Unsure(); n > 0 {
			gaps = append(gaps, fmt.Sprintf("%s could not be determined on %d of %d PCs", c.ID, n, judged))
		}
	}
	a := row.Attestation
	switch {
	case a != nil && a.Expired(now):
		gaps = append(gaps, fmt.Sprintf("the practice's answer expired on %s", a.NextReview))
	case a != nil && a.Counts(now) && a.Answer != standards.AnswerMet:
		gaps = append(gaps, fmt.Sprintf("the practice answers %q", a.Answer))
	case row.Item.NeedsAttestation() && (a == nil || !a.Counts(now)):
		gaps = append(gaps, "the practice has not answered it")
	}
	if len(gaps) == 0 && len(row.Checks) == 0 && (a == nil || !a.Counts(now)) {
		if !row.Item.Mandatory {
			return report.ItemNone, "Not evidenced by this pack; not mandatory for Standards Met."
		}
		gaps = append(gaps, "nothing in this pack evidences it")
	}
	if len(gaps) > 0 {
		return report.ItemGap, "Gap: " + strings.Join(gaps, "; ") + ". Planned action: " + r.plannedAction(row) + "."
	}
	var parts []string
	if len(row.Checks) > 0 {
		var found []string
		for _, c := range row.Checks {
			found = append(found, fmt.Sprintf("%s met on all %d PCs it applies to", c.Title, c.Hosts()-c.Count(standards.NotApplicable)))
		}
		parts = append(parts, fmt.Sprintf("On %s dspt-audit found, from the newest results of %d PCs: %s.", now.UTC().Format(time.DateOnly), len(r.Hosts), strings.Join(found, "; ")))
	}
	if a != nil && a.Counts(now) {
		s := "The practice's answer: " + a.Describe(now)
		if a.Evidence != "" {
			s += "; evidence kept at " + a.Evidence
		}
		parts = append(parts, s+".")
	}
	return report.ItemEvidenced, strings.Join(parts, " ")
}

// plannedAction is the action plan's entry for the item when it has one,
// else the fix of its first failing check, else answering it; with the
// owner the practice file names.
func (r *Rollup) plannedAction(row DSPTRow) string {
	for _, a := range r.ActionPlan {
		if slices.Contains(a.DSPTItems, row.Item.ID) {
			return a.Text
		}
	}
	owner := report.OwnerOf([]string{row.Item.ID}, []int{row.Item.Standard}, r.Practice)
	if owner != "" {
		owner = " (" + owner + ")"
	}
	for _, c := range row.Checks {
		if n := c.Count(standards.Fail) + c.Count(standards.Warn); n > 0 {
			return fmt.Sprintf("fix %s on %d %s%s", c.ID, n, plural(n, "PC", "PCs"), owner)
		}
	}
	for _, c := range row.Checks {
		if n := c.Unsure(); n > 0 {
			return fmt.Sprintf("find out %s on %d %s%s", c.ID, n, plural(n, "PC", "PCs"), owner)
		}
	}
	return "answer " + row.Item.ID + " in the practice file with its evidence" + owner
}

// dspt writes the DSPT sheet: DSPTRows, for a practice to copy into its
// submission.
func (b *book) dspt() {
	const sheet = sheetDSPT
	_, err := b.f.NewSheet(sheet)
	b.check(err)
	header := []string{"DSPT item (v8)", "Mandatory", "What it asks", "Checks (hosts passing)", "Attestation", "State", "Evidence to paste, or gap + planned action (owner)"}
	widths := []float64{7, 11, 26, 24, 23, 12, 38}
	b.widths(sheet, widths...)
	for i, h := range header {
		b.set(sheet, i+1, 1, h, b.Header)
	}
	b.check(b.f.SetRowHeight(sheet, 1, headerHeight(header, widths)))
	rows := b.r.DSPTRows()
	for i, row := range rows {
		n := i + 2
		var checks []string
		for _, c := range row.Checks {
			checks = append(checks, fmt.Sprintf("%s: %d of %d pass", c.ID, c.Count(standards.Pass), c.Hosts()-c.Count(standards.NotApplicable)))
		}
		attested := ""
		if row.Attestation != nil {
			attested = row.Attestation.Describe(b.r.GeneratedAt)
		}
		mandatory := "no"
		if row.Item.Mandatory {
			mandatory = "yes"
		}
		lines := 1
		for col, v := range []string{row.Item.ID, mandatory, row.Item.Asks, strings.Join(checks, "\n"), attested, row.State, row.Text} {
			b.set(sheet, col+1, n, v, b.Wrap)
			lines = max(lines, wrappedLines(report.Shown(v), widths[col]))
		}
		// Spreadsheet programs do not all grow a row to its wrapped text on opening.
		b.check(b.f.SetRowHeight(sheet, n, report.RowHeight(lines)))
		style := b.Outcome[standards.NotAssessed]
		switch row.State {
		case report.ItemEvidenced:
			style = b.Outcome[standards.Met]
		case report.ItemGap:
			style = b.Outcome[standards.NotMet]
		}
		b.set(sheet, 6, n, row.State, style)
	}
	last, _ := excelize.CoordinatesToCellName(len(header), max(len(rows)+1, 2))
	b.check(b.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	b.check(b.f.AutoFilter(sheet, "A1:"+last, nil))
	b.printable(sheet) // after the filter, which rewrites the sheet's fit to page
}
