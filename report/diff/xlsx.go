package diff

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// The workbook's sheets.
const (
	sheetSummary   = "Summary"
	sheetChanges   = "Changes"
	sheetEvidence  = "Evidence"
	sheetStandards = "Standards"
)

// XLSX writes the diff as a workbook: Summary (the two results and the
// notes), Changes (every check, worse first), Evidence (the changed
// values) and Standards, each printable on A4 with a frozen, filtered
// header row.
func XLSX(w io.Writer, d *Diff) error {
	f := excelize.NewFile()
	defer f.Close()
	styles, err := report.NewSheetStyles(f)
	if err != nil {
		return fmt.Errorf("building the workbook: %w", err)
	}
	wb := &workbook{SheetStyles: styles, f: f, widths: map[string][]float64{}}
	wb.summary(d)
	wb.changes(d)
	wb.evidence(d)
	wb.standards(d)
	wb.printable(d)
	if wb.err != nil {
		return fmt.Errorf("building the workbook: %w", wb.err)
	}
	_, err = f.WriteTo(w)
	return err
}

type workbook struct {
	report.SheetStyles
	f      *excelize.File
	widths map[string][]float64
	err    error
}

func (wb *workbook) check(err error) {
	if wb.err == nil {
		wb.err = err
	}
}

// sheet adds a sheet (the first renames the default one) with its column
// widths.
func (wb *workbook) sheet(name string, widths ...float64) {
	if len(wb.f.GetSheetList()) == 1 && wb.f.GetSheetList()[0] == "Sheet1" {
		wb.check(wb.f.SetSheetName("Sheet1", name))
	} else {
		_, err := wb.f.NewSheet(name)
		wb.check(err)
	}
	wb.widths[name] = widths
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		wb.check(wb.f.SetColWidth(name, col, col, w))
	}
}

// set writes a row from column A: text shown harmlessly and safe from
// formula injection, the row as tall as its wrapped text.
func (wb *workbook) set(sheet string, row int, values ...any) {
	lines := 1
	for i, v := range values {
		if s, ok := v.(string); ok {
			s = report.Sanitize(report.Shown(s))
			v = report.CellText(s)
			if i < len(wb.widths[sheet]) {
				lines = max(lines, report.WrappedLines(s, wb.widths[sheet][i]))
			}
		}
		cell, _ := excelize.CoordinatesToCellName(i+1, row)
		wb.check(wb.f.SetCellValue(sheet, cell, v))
	}
	if lines > 1 {
		wb.check(wb.f.SetRowHeight(sheet, row, report.RowHeight(lines)))
	}
}

func (wb *workbook) style(sheet string, col, row, style int) {
	cell, _ := excelize.CoordinatesToCellName(col, row)
	wb.check(wb.f.SetCellStyle(sheet, cell, cell, style))
}

// table styles the header row and body, freezes the header and adds a
// filter.
func (wb *workbook) table(sheet string, header []string, lastRow int) {
	values := make([]any, len(header))
	for i, h := range header {
		values[i] = h
	}
	wb.set(sheet, 1, values...)
	last, _ := excelize.CoordinatesToCellName(len(header), 1)
	wb.check(wb.f.SetCellStyle(sheet, "A1", last, wb.Header))
	last, _ = excelize.CoordinatesToCellName(len(header), max(lastRow, 2))
	if lastRow > 1 {
		wb.check(wb.f.SetCellStyle(sheet, "A2", last, wb.Wrap))
	}
	wb.check(wb.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	wb.check(wb.f.AutoFilter(sheet, "A1:"+last, nil))
}

func (wb *workbook) summary(d *Diff) {
	wb.sheet(sheetSummary, 22, 90)
	wb.set(sheetSummary, 1, "NHS data security standards: what changed")
	wb.style(sheetSummary, 1, 1, wb.Title)
	row := 3
	line := func(label, value string, style int) {
		wb.set(sheetSummary, row, label, value)
		wb.style(sheetSummary, 1, row, wb.Label)
		wb.style(sheetSummary, 2, row, style)
		row++
	}
	line("Old result", sideLine(d.Old), wb.Wrap)
	line("New result", sideLine(d.New), wb.Wrap)
	line("Outcome before", outcomeText(d.Old.Outcome)+", score "+scoreText(d.Old.Score), wb.Outcome[d.Old.Outcome])
	line("Outcome after", outcomeText(d.New.Outcome)+", score "+scoreText(d.New.Score), wb.Outcome[d.New.Outcome])
	for _, kind := range ChangeKinds {
		wb.set(sheetSummary, row, changeLabel(kind), d.Counts[kind.String()])
		wb.style(sheetSummary, 1, row, wb.Label)
		row++
	}
	for _, n := range d.Notes {
		line("Note", n, wb.Wrap)
	}
}

func (wb *workbook) changes(d *Diff) {
	wb.sheet(sheetChanges, 14, 24, 36, 13, 13, 70)
	header := []string{"Change", "Check", "Title", "Before", "After", "Summary now (or before, if gone)"}
	for i, c := range d.Checks {
		row := i + 2
		summary := ""
		if c.After != nil {
			summary = c.After.Summary
		} else if c.Before != nil {
			summary = "was: " + c.Before.Summary
		}
		wb.set(sheetChanges, row, changeLabel(c.Change), c.ID, c.Title, verdictText(c.Before), verdictText(c.After), summary)
	}
	wb.table(sheetChanges, header, len(d.Checks)+1)
	for i, c := range d.Checks {
		row := i + 2
		switch {
		case c.Change.Worse():
			wb.style(sheetChanges, 1, row, wb.Status[standards.Fail])
		case c.Change.Better():
			wb.style(sheetChanges, 1, row, wb.Status[standards.Pass])
		}
		for col, v := range map[int]*Verdict{4: c.Before, 5: c.After} {
			if v != nil {
				wb.style(sheetChanges, col, row, wb.Status[v.Status])
			}
		}
	}
}

func (wb *workbook) evidence(d *Diff) {
	wb.sheet(sheetEvidence, 11, 50, 24, 80)
	for i, e := range d.Evidence {
		wb.set(sheetEvidence, i+2, string(e.Source), e.Query, strings.Join(e.Checks, ", "), strings.Join(wordedLines(e), "\n"))
	}
	wb.table(sheetEvidence, []string{"Source", "Query", "Read by", "Change"}, len(d.Evidence)+1)
}

// wordedLines are the change's lines with words for +, - and ~: a cell
// starting with + or - would be taken for a formula (and shown with the
// apostrophe that stops it).
func wordedLines(e EvidenceChange) []string {
	lines := e.Lines()
	for i, l := range lines {
		for mark, word := range map[string]string{"+ ": "added: ", "- ": "removed: ", "~ ": "changed: "} {
			if rest, ok := strings.CutPrefix(l, mark); ok {
				lines[i] = word + rest
				break
			}
		}
	}
	return lines
}

func (wb *workbook) standards(d *Diff) {
	wb.sheet(sheetStandards, 40, 12, 12, 22, 22, 10)
	for i, s := range d.Standards {
		changed := "no"
		if s.Changed() {
			changed = "yes"
		}
		wb.set(sheetStandards, i+2, fmt.Sprintf("%d %s", s.Number, s.Title), scoreValue(s.ScoreBefore), scoreValue(s.ScoreAfter),
			outcomeText(s.OutcomeBefore), outcomeText(s.OutcomeAfter), changed)
	}
	wb.table(sheetStandards, []string{"Standard", "Score before", "Score after", "Outcome before", "Outcome after", "Changed"}, len(d.Standards)+1)
	for i, s := range d.Standards {
		wb.style(sheetStandards, 2, i+2, wb.Number)
		wb.style(sheetStandards, 3, i+2, wb.Number)
		if o, ok := wb.Outcome[s.OutcomeBefore]; ok {
			wb.style(sheetStandards, 4, i+2, o)
		}
		if o, ok := wb.Outcome[s.OutcomeAfter]; ok {
			wb.style(sheetStandards, 5, i+2, o)
		}
	}
}

// scoreValue is a score as a number cell, or text when there is none.
func scoreValue(p *int) any {
	if p == nil {
		return "n/a"
	}
	return *p
}

func (wb *workbook) printable(d *Diff) {
	who := d.New.Host.Name
	if !strings.EqualFold(d.Old.Host.Name, d.New.Host.Name) {
		who = d.Old.Host.Name + " → " + d.New.Host.Name
	}
	when := d.Old.ScannedAt.UTC().Format("2006-01-02") + " → " + d.New.ScannedAt.UTC().Format("2006-01-02")
	for _, sheet := range wb.f.GetSheetList() {
		wb.check(report.PrintSetup(wb.f, sheet, sheet == sheetSummary))
		wb.check(report.PageHeader(wb.f, sheet, who, when))
	}
	wb.check(wb.f.SetDocProps(&excelize.DocProperties{
		Title:    "What changed: " + report.Sanitize(who),
		Subject:  "DSPT / CQC evidence: changes between two scans",
		Creator:  "dspt-audit",
		Category: "Audit",
	}))
	wb.f.SetActiveSheet(0)
}
