package report

import (
	"fmt"
	"strings"

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

// summaryLine writes a labelled line across B:G of the Summary at row.
func (wb *workbook) summaryLine(sheet string, row int, label, text string) {
	b, g := fmt.Sprintf("B%d", row), fmt.Sprintf("G%d", row)
	wb.check(wb.f.SetCellValue(sheet, fmt.Sprintf("A%d", row), label))
	wb.check(wb.f.SetCellValue(sheet, b, CellText(Shown(text))))
	wb.check(wb.f.MergeCell(sheet, b, g))
	wb.check(wb.f.SetCellStyle(sheet, b, b, wb.Wrap))
	wb.check(wb.f.SetRowHeight(sheet, row, RowHeight(WrappedLines(Shown(text), 100))))
	wb.styleCell(sheet, 1, row, wb.Label)
}

// practiceHead writes, from row on, what page 1 says of the practice file,
// the standards' evidence and the action plan, above the standards table;
// it returns the row after the last one written, with a blank row.
func (wb *workbook) practiceHead(sheet string, row int) int {
	rep := wb.rep
	start := row
	if u := rep.Practice; u != nil {
		if u.Used {
			wb.summaryLine(sheet, row, "Practice file", practiceName(u)+" ("+u.File+")")
		} else {
			wb.summaryLine(sheet, row, "Practice file", "not used: "+u.Problem)
		}
		row++
	}
	if rep.Evidenced != nil {
		wb.summaryLine(sheet, row, "Evidence", rep.Evidenced.String())
		row++
	}
	for i, a := range rep.ActionPlan {
		label := ""
		if i == 0 {
			label = "Action plan"
		}
		wb.summaryLine(sheet, row, label, fmt.Sprintf("%d. %s", i+1, a.Text))
		row++
	}
	if row == start {
		return row
	}
	return row + 1
}

// practiceAttested writes, below the standards table, each standard's
// attested items on one line; it returns the row after, with a blank row.
func (wb *workbook) practiceAttested(sheet string, row int) int {
	start := row
	for _, s := range wb.rep.Standards {
		var items []string
		for _, a := range s.Attestations {
			items = append(items, a.Item+" "+a.Text)
		}
		if len(items) == 0 {
			continue
		}
		wb.summaryLine(sheet, row, "Attested", fmt.Sprintf("Standard %d: %s", s.Number, strings.Join(items, "; ")))
		row++
	}
	if row == start {
		return row
	}
	return row + 1
}
