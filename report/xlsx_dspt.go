package report

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// dspt writes the DSPT sheet: one row per evidence item of the current
// toolkit (DSPTRows), for a practice to copy into its submission.
func (wb *workbook) dspt() {
	const sheet = sheetDSPT
	_, err := wb.f.NewSheet(sheet)
	wb.check(err)
	rows := DSPTRows(wb.rep)
	wb.widths(sheet, 7, 8, 30, 24, 26, 11, 40)
	wb.table(sheet, []string{"DSPT item (v8)", "Mandatory", "What it asks", "Checks (status)", "Attestation", "State", "Evidence to paste, or gap + planned action (owner)"}, len(rows)+1)
	for i, row := range rows {
		attested := ""
		if row.Attestation != nil {
			attested = row.Attestation.Text
		}
		wb.set(sheet, i+2, row.Item.ID, yesNo(row.Item.Mandatory), row.Item.Asks, "", attested, row.State, row.Text)
		if len(row.Results) > 0 {
			cell, _ := excelize.CoordinatesToCellName(4, i+2)
			wb.check(wb.f.SetCellRichText(sheet, cell, statusRuns(row.Results)))
		}
		wb.check(wb.f.SetRowHeight(sheet, i+2, RowHeight(max(len(row.Results), WrappedLines(row.Item.Asks, 30), WrappedLines(attested, 26), WrappedLines(row.Text, 40)))))
		wb.styleCell(sheet, 6, i+2, wb.Outcome[stateOutcome(row.State)])
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// stateOutcome colours a row's state as an outcome would be.
func stateOutcome(state string) standards.Outcome {
	switch state {
	case ItemEvidenced:
		return standards.Met
	case ItemGap:
		return standards.NotMet
	}
	return standards.NotAssessed
}

// practiceSummary writes, from row on, what page 1 says of the practice
// file, the standards' evidence and the action plan; it returns the row
// after the last one written, with a blank row.
func (wb *workbook) practiceSummary(sheet string, row int) int {
	rep := wb.rep
	line := func(label, text string) {
		b, g := fmt.Sprintf("B%d", row), fmt.Sprintf("G%d", row)
		wb.check(wb.f.SetCellValue(sheet, fmt.Sprintf("A%d", row), label))
		wb.check(wb.f.SetCellValue(sheet, b, CellText(Shown(text))))
		wb.check(wb.f.MergeCell(sheet, b, g))
		wb.check(wb.f.SetCellStyle(sheet, b, b, wb.Wrap))
		wb.check(wb.f.SetRowHeight(sheet, row, RowHeight(1+len(Shown(text))/140)))
		wb.styleCell(sheet, 1, row, wb.Label)
		row++
	}
	if u := rep.Practice; u != nil {
		if u.Used {
			line("Practice file", practiceName(u)+" ("+u.File+")")
		} else {
			line("Practice file", "not used: "+u.Problem)
		}
	}
	if rep.Evidenced != nil {
		line("Evidence", rep.Evidenced.String())
	}
	for _, s := range rep.Standards {
		for _, a := range s.Attestations {
			line(fmt.Sprintf("Standard %d attested", s.Number), a.Item+" "+a.Text)
		}
	}
	for i, a := range rep.ActionPlan {
		label := ""
		if i == 0 {
			label = "Action plan"
		}
		line(label, fmt.Sprintf("%d. %s", i+1, a.Text))
	}
	return row + 1
}
