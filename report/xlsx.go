package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// Sheet names of the workbook, in tab order.
const (
	sheetSummary  = "Summary"
	sheetFindings = "Findings"
	sheetEvidence = "Evidence"
	sheetDSPT     = "DSPT"
)

// Fill and font colours: Excel's own "good", "neutral" and "bad" cell
// styles, so the workbook looks like one a practice manager already knows.
var (
	StatusColours = map[standards.Status][2]string{ // fill, font
		standards.Pass:          {"C6EFCE", "006100"},
		standards.Warn:          {"FFEB9C", "9C5700"},
		standards.Fail:          {"FFC7CE", "9C0006"},
		standards.Unknown:       {"D9D9D9", "262626"},
		standards.NeedsAdmin:    {"D9D9D9", "262626"},
		standards.NotApplicable: {"F2F2F2", "595959"},
	}
	OutcomeColours = map[standards.Outcome][2]string{
		standards.Met:         {"C6EFCE", "006100"},
		standards.Approaching: {"FFEB9C", "9C5700"},
		standards.NotMet:      {"FFC7CE", "9C0006"},
		standards.NotAssessed: {"F2F2F2", "595959"},
	}
)

// SheetStyles are the cell styles every workbook of the tool uses, made
// once per file.
type SheetStyles struct {
	Title, Label, Header, Wrap, Percent int
	Status                              map[standards.Status]int
	Outcome                             map[standards.Outcome]int
}

// NewSheetStyles adds the shared styles to f.
func NewSheetStyles(f *excelize.File) (SheetStyles, error) {
	var firstErr error
	style := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		if firstErr == nil {
			firstErr = err
		}
		return id
	}
	top := &excelize.Alignment{Vertical: "top", WrapText: true}
	st := SheetStyles{
		Title: style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}),
		Label: style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}}),
		Header: style(&excelize.Style{
			Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"005EB8"}}, // NHS blue
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		}),
		Wrap:    style(&excelize.Style{Alignment: top}),
		Percent: style(&excelize.Style{NumFmt: 9, Alignment: top}), // 0%
		Status:  map[standards.Status]int{},
		Outcome: map[standards.Outcome]int{},
	}
	coloured := func(c [2]string) int {
		return style(&excelize.Style{
			Font:      &excelize.Font{Bold: true, Color: c[1]},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c[0]}},
			Alignment: top,
		})
	}
	for s, c := range StatusColours {
		st.Status[s] = coloured(c)
	}
	for o, c := range OutcomeColours {
		st.Outcome[o] = coloured(c)
	}
	return st, firstErr
}

// PrintSetup makes a sheet print landscape on A4, one page wide; a
// summary fits one page, any other sheet repeats its header row on each
// page. A streamed sheet must be set up before its stream starts: after,
// excelize would read the whole sheet back.
func PrintSetup(f *excelize.File, sheet string, summary bool) error {
	landscape, a4, one, fit := "landscape", 9, 1, true
	tall := 0
	if summary {
		tall = 1
	}
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, Size: &a4, FitToWidth: &one, FitToHeight: &tall}); err != nil {
		return err
	}
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if summary {
		return nil
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$1", sheet), Scope: sheet})
}

// workbook is a workbook being written, with its styles made once.
type workbook struct {
	SheetStyles
	f         *excelize.File
	rep       *Report
	colWidths map[string][]float64 // of sheets whose rows grow to fit
	err       error
}

// XLSX writes the report as an Excel workbook: Summary (with a chart of
// the per-standard scores), Findings, Evidence and DSPT sheets.
func XLSX(w io.Writer, rep *Report) error {
	f := excelize.NewFile()
	defer f.Close()
	styles, err := NewSheetStyles(f)
	if err != nil {
		return fmt.Errorf("building the workbook: %w", err)
	}
	wb := &workbook{SheetStyles: styles, f: f, rep: rep, colWidths: map[string][]float64{}}
	wb.summary()
	wb.findings()
	wb.evidence()
	wb.dspt()
	wb.printable()
	wb.properties()
	if wb.err != nil {
		return fmt.Errorf("building the workbook: %w", wb.err)
	}
	_, err = f.WriteTo(w)
	return err
}

// check keeps the first error, so the sheet code reads as a list of cells.
func (wb *workbook) check(err error) {
	if wb.err == nil {
		wb.err = err
	}
}

// set writes one row of values from column A, as text made safe for a
// spreadsheet unless a value is a number, and makes the row tall enough for
// its wrapped text: spreadsheet programs do not all grow rows on opening.
func (wb *workbook) set(sheet string, row int, values ...any) {
	lines := 1
	for i, v := range values {
		if s, ok := v.(string); ok {
			s = Shown(s)
			v = CellText(s)
			lines = max(lines, wb.wrappedLines(sheet, i, s))
		}
		cell, _ := excelize.CoordinatesToCellName(i+1, row)
		wb.check(wb.f.SetCellValue(sheet, cell, v))
	}
	if lines > 1 {
		wb.check(wb.f.SetRowHeight(sheet, row, RowHeight(lines)))
	}
}

// RowHeight is the height in points of a row of lines of text, within the
// 409 points Excel allows (excelize refuses more, failing the workbook).
func RowHeight(lines int) float64 { return min(409, 15*float64(max(lines, 1))) }

// wrappedLines estimates how many lines text takes in a column: a width
// unit holds about one character of the default font.
func (wb *workbook) wrappedLines(sheet string, col int, text string) int {
	widths := wb.colWidths[sheet]
	if col >= len(widths) {
		return 1
	}
	perLine := max(1, int(widths[col]*1.1))
	lines := 0
	for _, para := range strings.Split(text, "\n") {
		lines += max(1, (len([]rune(para))+perLine-1)/perLine)
	}
	return lines
}

func (wb *workbook) styleCell(sheet string, col, row, style int) {
	cell, _ := excelize.CoordinatesToCellName(col, row)
	wb.check(wb.f.SetCellStyle(sheet, cell, cell, style))
}

func (wb *workbook) styleRow(sheet string, row, cols, style int) {
	first, _ := excelize.CoordinatesToCellName(1, row)
	last, _ := excelize.CoordinatesToCellName(cols, row)
	wb.check(wb.f.SetCellStyle(sheet, first, last, style))
}

// widths sets the column widths; call it before writing rows, whose
// heights follow from them.
func (wb *workbook) widths(sheet string, widths ...float64) {
	wb.colWidths[sheet] = widths
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		wb.check(wb.f.SetColWidth(sheet, col, col, w))
	}
}

// table styles a header row and body, freezes the header and adds a filter.
func (wb *workbook) table(sheet string, header []string, lastRow int) {
	wb.set(sheet, 1, anys(header)...)
	wb.styleRow(sheet, 1, len(header), wb.Header)
	last, _ := excelize.CoordinatesToCellName(len(header), max(lastRow, 2))
	if lastRow > 1 {
		wb.check(wb.f.SetCellStyle(sheet, "A2", last, wb.Wrap))
	}
	wb.check(wb.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	wb.check(wb.f.AutoFilter(sheet, "A1:"+last, nil))
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func (wb *workbook) summary() {
	const sheet = sheetSummary
	wb.check(wb.f.SetSheetName("Sheet1", sheet))
	rep := wb.rep
	wb.widths(sheet, 18, 30, 8, 10, 24, 34, 30)
	wb.set(sheet, 1, "NHS data security standards: machine audit")
	wb.styleCell(sheet, 1, 1, wb.Title)
	var data []string
	for _, d := range rep.Data {
		data = append(data, d.Describe())
	}
	facts := [][2]string{
		{"Host", rep.Host.Name},
		{"Operating system", rep.Host.OS},
		{"Platform", rep.Host.Platform + " " + rep.Host.Arch},
		{"Scanned", rep.ScannedAt.UTC().Format(time.DateTime+" UTC") + " (" + rep.Source + ")"},
		{"Judged as of", rep.JudgedAt.UTC().Format(time.DateTime + " UTC")},
		{"Tool", rep.Tool.Name + " " + rep.Tool.Version},
		{"Reference data", strings.Join(data, "; ")},
		{"Overall outcome", string(rep.Outcome)},
		{"Score", scoreText(rep.Score) + ", coverage " + percent(rep.Coverage)},
		{"Checks", countsText(rep.Counts)},
	}
	if len(rep.DataNotes) > 0 {
		facts = slices.Insert(facts, 7, [2]string{"Data notes", strings.Join(rep.DataNotes, " ")})
	}
	row := 3
	for _, kv := range facts {
		// A fact spans B:G and wraps there, so a long line never widens the page.
		b, g := fmt.Sprintf("B%d", row), fmt.Sprintf("G%d", row)
		wb.check(wb.f.SetCellValue(sheet, fmt.Sprintf("A%d", row), kv[0]))
		wb.check(wb.f.SetCellValue(sheet, b, CellText(Shown(kv[1]))))
		wb.check(wb.f.MergeCell(sheet, b, g))
		wb.check(wb.f.SetCellStyle(sheet, b, b, wb.Wrap))
		wb.check(wb.f.SetRowHeight(sheet, row, RowHeight(1+len(Shown(kv[1]))/140)))
		wb.styleCell(sheet, 1, row, wb.Label)
		row++
	}
	wb.styleCell(sheet, 2, row-3, wb.Outcome[rep.Outcome])

	row++
	tableTop := row
	wb.set(sheet, row, "NDG standard", "Title", "Score", "Coverage", "Outcome", "Checks", "Failing")
	wb.styleRow(sheet, row, 7, wb.Header)
	for _, s := range rep.Standards {
		row++
		score := any("")
		if s.Score != nil {
			score = *s.Score
		}
		coverage := any("")
		if s.Outcome != standards.NotAssessed {
			coverage = s.Coverage
		}
		wb.set(sheet, row, fmt.Sprint(s.Number), s.Title, score, coverage, string(s.Outcome), strings.Join(s.Checks, ", "), strings.Join(s.Failing, ", "))
		wb.styleRow(sheet, row, 7, wb.Wrap)
		wb.styleCell(sheet, 4, row, wb.Percent)
		wb.styleCell(sheet, 5, row, wb.Outcome[s.Outcome])
	}
	tableBottom := row
	row = wb.practiceSummary(sheet, row+2)
	for _, note := range []string{rep.NotAssessedNote(), "Scoring: " + rep.ScoringRule} {
		if note == "" {
			continue
		}
		cell := fmt.Sprintf("A%d", row)
		wb.check(wb.f.SetCellValue(sheet, cell, CellText(Shown(note))))
		wb.check(wb.f.MergeCell(sheet, cell, fmt.Sprintf("G%d", row)))
		wb.check(wb.f.SetCellStyle(sheet, cell, cell, wb.Wrap))
		wb.check(wb.f.SetRowHeight(sheet, row, RowHeight(1+len(Shown(note))/140)))
		row++
	}
	wb.scoreChart(fmt.Sprintf("A%d", row+1), tableTop, tableBottom)
}

// scoreChart draws the per-standard scores beside the standards table.
// Standards no check could score are left out of the range's values as
// blanks, which the chart shows as gaps.
func (wb *workbook) scoreChart(at string, top, bottom int) {
	hundred, zero := 100.0, 0.0
	ref := func(col string) string {
		return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheetSummary, col, top+1, col, bottom)
	}
	wb.check(wb.f.AddChart(sheetSummary, at, &excelize.Chart{
		Type: excelize.Col,
		Series: []excelize.ChartSeries{{
			Name:       fmt.Sprintf("'%s'!$C$%d", sheetSummary, top),
			Categories: ref("A"),
			Values:     ref("C"),
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"005EB8"}},
		}},
		Title:        excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Score per NDG data security standard (0-100)"}}},
		Legend:       excelize.ChartLegend{Position: "none"},
		PlotArea:     excelize.ChartPlotArea{ShowVal: true},
		XAxis:        excelize.ChartAxis{Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "NDG standard (blank: not assessed)"}}}},
		YAxis:        excelize.ChartAxis{Maximum: &hundred, Minimum: &zero, MajorGridLines: true},
		Dimension:    excelize.ChartDimension{Width: 720, Height: 300},
		ShowBlanksAs: "gap",
	}))
}

func countsText(counts map[string]int) string {
	var parts []string
	for _, s := range []standards.Status{standards.Fail, standards.Warn, standards.NeedsAdmin, standards.Unknown, standards.Pass, standards.NotApplicable} {
		if n := counts[s.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	return strings.Join(parts, ", ")
}

func (wb *workbook) findings() {
	const sheet = sheetFindings
	_, err := wb.f.NewSheet(sheet)
	wb.check(err)
	results := wb.rep.ByAttention()
	wb.widths(sheet, 16, 26, 10, 9, 8, 22, 16, 8, 16, 45, 55, 40, 28)
	wb.table(sheet, findingHeader, len(results)+1)
	for i, r := range results {
		wb.set(sheet, i+2, anys(findingRow(r))...)
		wb.styleCell(sheet, 3, i+2, wb.Status[r.Status])
	}
}

// usedEvidence is one observation and the checks that rest on it.
type usedEvidence struct {
	Evidence
	checks []string
}

func (wb *workbook) evidence() {
	const sheet = sheetEvidence
	_, err := wb.f.NewSheet(sheet)
	wb.check(err)
	var rows []*usedEvidence
	seen := map[string]*usedEvidence{}
	for _, r := range wb.rep.Results {
		for _, e := range r.Evidence {
			key := string(e.Source) + "\x00" + e.Query
			if u, ok := seen[key]; ok {
				u.checks = append(u.checks, r.ID)
				continue
			}
			u := &usedEvidence{Evidence: e, checks: []string{r.ID}}
			seen[key] = u
			rows = append(rows, u)
		}
	}
	wb.widths(sheet, 10, 60, 40, 14, 50, 26)
	wb.table(sheet, []string{"Source", "Query", "Value", "Error class", "Error detail", "Used by"}, len(rows)+1)
	for i, u := range rows {
		class, detail := "", ""
		if u.Error != nil {
			class, detail = string(u.Error.Class), u.Error.Detail
		}
		wb.set(sheet, i+2, string(u.Source), u.Query, u.Value, class, detail, strings.Join(u.checks, ", "))
	}
}

// dsptItem is one DSPT evidence item and the checks that evidence it.
func worstStatus(results []CheckResult) standards.Status {
	worst := standards.NotApplicable
	for _, r := range results {
		if attentionOrder[r.Status] < attentionOrder[worst] {
			worst = r.Status
		}
	}
	return worst
}

var statusWords = map[standards.Status]string{
	standards.Pass:          "met",
	standards.Warn:          "met with a warning",
	standards.Fail:          "NOT met",
	standards.Unknown:       "could not be determined",
	standards.NeedsAdmin:    "not determined (the scan needs administrator rights)",
	standards.NotApplicable: "not applicable",
}

// printable sets every sheet up for printing (PrintSetup).
func (wb *workbook) printable() {
	for _, sheet := range wb.f.GetSheetList() {
		wb.check(PrintSetup(wb.f, sheet, sheet == sheetSummary))
	}
}

func (wb *workbook) properties() {
	rep := wb.rep
	wb.check(wb.f.SetDocProps(&excelize.DocProperties{
		Title:       "NHS data security standards audit: " + rep.Host.Name,
		Subject:     "DSPT / CQC evidence: " + string(rep.Outcome),
		Creator:     rep.Tool.Name + " " + rep.Tool.Version,
		Description: fmt.Sprintf("Machine audit of %s (%s) against the National Data Guardian's 10 data security standards.", rep.Host.Name, rep.Host.OS),
		Keywords:    "DSPT; CQC; NDG data security standards; Cyber Essentials",
		Created:     rep.ScannedAt.UTC().Format(time.RFC3339),
		Category:    "Audit",
	}))
	wb.f.SetActiveSheet(0)
}
