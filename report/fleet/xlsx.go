package fleet

import (
	"cmp"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// Sheet names of the roll-up workbook, in tab order.
const (
	sheetSummary = "Summary"
	sheetHosts   = "Hosts"
	sheetChecks  = "Checks"
	sheetMatrix  = "Host checks"
	sheetSkipped = "Skipped"
)

// maxSheetRows is Excel's row limit (1,048,576) less the header row.
const maxSheetRows = 1<<20 - 1

// XLSX writes the roll-up as a workbook: Summary (practice outcome, the
// standards table and two charts), Hosts, Checks, Host checks (a host by
// check grid) and Skipped. The large sheets are streamed.
func XLSX(w io.Writer, r *Rollup) error {
	if len(r.Hosts) > maxSheetRows || len(r.Skipped) > maxSheetRows {
		return fmt.Errorf("%d hosts do not fit in a worksheet (Excel's limit is %d rows): write --format csv or ocsf instead", len(r.Hosts), maxSheetRows)
	}
	f := excelize.NewFile()
	defer f.Close()
	styles, err := report.NewSheetStyles(f)
	if err != nil {
		return fmt.Errorf("building the workbook: %w", err)
	}
	yyyymmdd := "yyyy-mm-dd hh:mm"
	day, err := f.NewStyle(&excelize.Style{CustomNumFmt: &yyyymmdd, Alignment: &excelize.Alignment{Vertical: "top"}})
	b := &book{SheetStyles: styles, f: f, r: r, day: day, err: err}
	b.upright, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"005EB8"}},
		Alignment: &excelize.Alignment{TextRotation: 90, Horizontal: "center", Vertical: "bottom"},
	})
	b.check(err)
	b.summary()
	b.trend()
	b.hosts()
	b.checks()
	b.matrix()
	b.dspt()
	b.skipped()
	if r.Register != nil {
		b.registerSheets(r.Register, "")
	}
	b.properties()
	if b.err != nil {
		return fmt.Errorf("building the workbook: %w", b.err)
	}
	_, err = f.WriteTo(w)
	return err
}

// book is a roll-up workbook being written, with its styles made once.
type book struct {
	report.SheetStyles
	f       *excelize.File
	r       *Rollup
	day     int // date and time
	upright int // a header cell turned 90 degrees
	// heading names the workbook on every printed page.
	heading string
	err     error
}

func (b *book) check(err error) {
	if b.err == nil {
		b.err = err
	}
}

// cell is a value made safe for a spreadsheet, styled.
func (b *book) cell(v any, style int) excelize.Cell {
	if s, ok := v.(string); ok {
		v = report.CellText(report.Shown(s))
	}
	return excelize.Cell{Value: v, StyleID: style}
}

func (b *book) set(sheet string, col, row int, v any, style int) {
	name, _ := excelize.CoordinatesToCellName(col, row)
	c := b.cell(v, style)
	b.check(b.f.SetCellValue(sheet, name, c.Value))
	if style != 0 {
		b.check(b.f.SetCellStyle(sheet, name, name, style))
	}
}

// printable sets a sheet up for printing (report.PrintSetup), each page
// headed with the practice roll-up and its date. A streamed sheet must be
// set up before its stream starts, and a filtered one after its filter:
// AutoFilter rewrites the sheet's properties, fit to page among them.
func (b *book) printable(sheet string) {
	b.check(report.PrintSetup(b.f, sheet, sheet == sheetSummary))
	b.check(report.PageHeader(b.f, sheet, cmp.Or(b.heading, "Practice roll-up"), "Generated "+b.r.GeneratedAt.UTC().Format(time.DateOnly)))
}

// printScale is the zoom, in percent, of a sheet too wide for one page:
// fitted to the page's width it would print too small to read, so it
// prints its 11 pt text at 8.8 pt, on as many pages across as its columns
// take, each repeating the first column and the table's header row.
const printScale = 80

// printAcross prints a sheet set up by printable at printScale, its header
// in row header.
func (b *book) printAcross(sheet string, header int) {
	scale, fit := uint(printScale), false
	b.check(b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}))
	b.check(b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{AdjustTo: &scale}))
	b.check(b.f.DeleteDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet}))
	b.check(b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles",
		RefersTo: fmt.Sprintf("'%[1]s'!$A:$A,'%[1]s'!$%[2]d:$%[2]d", sheet, header), Scope: sheet}))
}

func (b *book) widths(sheet string, widths ...float64) {
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		b.check(b.f.SetColWidth(sheet, col, col, w))
	}
}

func (b *book) summary() {
	const sheet = sheetSummary
	r := b.r
	b.check(b.f.SetSheetName("Sheet1", sheet))
	b.printable(sheet)
	b.widths(sheet, 16, 30, 10, 10, 10, 12, 10, 10, 22, 60)
	b.set(sheet, 1, 1, "NHS data security standards: practice roll-up", b.Title)
	facts := [][2]string{
		{"Practice outcome", string(r.Outcome)},
		{"Hosts", hostsFact(r)},
		{"Results", resultsFact(r, "see the Skipped sheet")},
		{"Trust", trustFact(r)},
		{"Generated", r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC") + " by " + r.Tool.Name + " " + r.Tool.Version},
		{"Rule", r.RuleText()},
	}
	facts = append(facts, r.practiceFacts()...)
	facts = append(facts, r.customFacts()...)
	row := 3
	for _, fact := range facts {
		b.set(sheet, 1, row, fact[0], b.Label)
		style := b.Wrap
		if fact[0] == "Practice outcome" {
			style = b.Outcome[r.Outcome]
		}
		b.set(sheet, 2, row, fact[1], style)
		last, _ := excelize.CoordinatesToCellName(10, row)
		b.check(b.f.MergeCell(sheet, fmt.Sprintf("B%d", row), last))
		b.check(b.f.SetCellStyle(sheet, fmt.Sprintf("B%d", row), last, style))
		if lines := len(report.Shown(fact[1]))/150 + 1; lines > 1 {
			b.check(b.f.SetRowHeight(sheet, row, report.RowHeight(lines)))
		}
		row++
	}
	for i, u := range r.Untrusted {
		text := untrustedLine(u)
		if i == maxUntrustedListed {
			text = fmt.Sprintf("... and %d more: every one is listed in the json, html and csv roll-ups", len(r.Untrusted)-i)
		}
		b.set(sheet, 1, row, "Not counted", b.Label)
		last, _ := excelize.CoordinatesToCellName(10, row)
		b.set(sheet, 2, row, text, b.Wrap)
		b.check(b.f.MergeCell(sheet, fmt.Sprintf("B%d", row), last))
		b.check(b.f.SetCellStyle(sheet, fmt.Sprintf("B%d", row), last, b.Wrap))
		b.check(b.f.SetRowHeight(sheet, row, float64(15*(len(text)/150+1))))
		row++
		if i == maxUntrustedListed {
			break
		}
	}
	row++
	top := row
	header := []string{"Standard", "Title", "Hosts assessed", "Meeting", "Share meeting", "Approaching", "Not met", "Met but stale", "Practice outcome", "Hosts not meeting it (first 10)"}
	for i, h := range header {
		b.set(sheet, i+1, row, h, b.Header)
	}
	b.check(b.f.SetRowHeight(sheet, row, 30))
	for _, s := range r.Standards {
		row++
		b.set(sheet, 1, row, s.Number, b.Number)
		b.set(sheet, 2, row, s.Title, b.Wrap)
		if s.Assessed > 0 {
			for i, n := range []int{s.Assessed, s.Met} {
				b.set(sheet, 3+i, row, n, b.Number)
			}
			b.set(sheet, 5, row, s.Share(), b.Percent)
			for i, n := range []int{s.Approaching, s.NotMet, s.StaleMet} {
				b.set(sheet, 6+i, row, n, b.Number)
			}
		}
		b.set(sheet, 9, row, string(s.Outcome), b.Outcome[s.Outcome])
		b.set(sheet, 10, row, notMetText(s), b.Wrap)
		b.check(b.f.SetRowHeight(sheet, row, 45))
	}
	// The charts start a page: a chart cut by a page break prints in halves.
	b.check(b.f.InsertPageBreak(sheet, fmt.Sprintf("A%d", row+1)))
	b.shareChart(fmt.Sprintf("A%d", row+2), top)
	b.outcomeTable(row + 22)
}

// shareChart draws the share of hosts meeting each standard, each bar in
// the practice outcome's colour; standards no result assesses have none.
func (b *book) shareChart(at string, top int) {
	bars := make([]report.OutcomeBar, len(b.r.Standards))
	for i, s := range b.r.Standards {
		bars[i] = report.OutcomeBar{Label: fmt.Sprint(s.Number), Outcome: s.Outcome}
		if s.Assessed > 0 {
			v := s.Share()
			bars[i].Value = &v
		}
	}
	one, zero := 1.0, 0.0
	percent := excelize.ChartNumFmt{CustomNumFmt: "0%"}
	b.check(report.OutcomeChart(b.f, sheetSummary, at, top, bars, excelize.Chart{
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Share of hosts meeting each NDG standard"}}},
		PlotArea:  excelize.ChartPlotArea{NumFmt: percent},
		XAxis:     excelize.ChartAxis{Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "NDG standard (n/a: not assessed)"}}}},
		YAxis:     excelize.ChartAxis{Maximum: &one, Minimum: &zero, NumFmt: percent},
		Dimension: excelize.ChartDimension{Width: 480, Height: 340},
	}))
}

// outcomeTable lists hosts by their own outcome, with a pie chart of it.
func (b *book) outcomeTable(row int) {
	const sheet = sheetSummary
	top := row
	for i, h := range []string{"Host outcome", "", "Hosts", "Of which stale"} {
		b.set(sheet, i+1, row, h, b.Header)
	}
	b.check(b.f.MergeCell(sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("B%d", row)))
	b.check(b.f.SetRowHeight(sheet, row, 30))
	for _, c := range b.r.HostOutcomes() {
		row++
		b.set(sheet, 1, row, string(c.Outcome), b.Outcome[c.Outcome])
		b.check(b.f.MergeCell(sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("B%d", row)))
		b.set(sheet, 3, row, c.Hosts, b.Number)
		b.set(sheet, 4, row, c.Stale, b.Number)
	}
	var points []excelize.ChartDataPoint
	for i, c := range b.r.HostOutcomes() {
		points = append(points, excelize.ChartDataPoint{Index: i, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{report.ChartColours[c.Outcome]}}})
	}
	ref := func(col string) string {
		return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheetSummary, col, top+1, col, row)
	}
	text := excelize.Font{Color: report.ChartText, Size: 9}
	b.check(b.f.AddChart(sheetSummary, fmt.Sprintf("F%d", top-20), &excelize.Chart{
		Type: excelize.Pie,
		Series: []excelize.ChartSeries{{
			Name: fmt.Sprintf("'%s'!$C$%d", sheetSummary, top), Categories: ref("A"), Values: ref("C"),
			DataPoint: points, DataLabel: excelize.ChartDataLabel{Font: text},
		}},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Hosts by outcome", Font: &excelize.Font{Color: report.ChartText, Bold: true, Size: 12}}}},
		Legend:    excelize.ChartLegend{Position: "right", Font: &text},
		PlotArea:  excelize.ChartPlotArea{ShowVal: true},
		Dimension: excelize.ChartDimension{Width: 480, Height: 260},
	}))
}

// stream starts a streamed sheet with its header row and column widths,
// fitted to the printed page's width.
func (b *book) stream(sheet string, header []string, widths []float64) *excelize.StreamWriter {
	return b.streamWith(sheet, header, widths, b.Header, headerHeight(header, widths), false)
}

// streamAcross is stream for a sheet that prints at printScale, on as
// many pages across as it takes.
func (b *book) streamAcross(sheet string, header []string, widths []float64) *excelize.StreamWriter {
	return b.streamWith(sheet, header, widths, b.Header, headerHeight(header, widths), true)
}

// wrappedLines is report.WrappedLines with room to spare: LibreOffice
// prints the default font wider than a spreadsheet's width unit holds, and
// a row too short for its lines prints them over the next row.
func wrappedLines(text string, width float64) int {
	return report.WrappedLines(text, 0.85*width)
}

func headerHeight(header []string, widths []float64) float64 {
	lines := 2
	for i, h := range header {
		lines = max(lines, wrappedLines(h, widths[i]))
	}
	return report.RowHeight(lines)
}

func (b *book) streamWith(sheet string, header []string, widths []float64, headerStyle int, height float64, across bool) *excelize.StreamWriter {
	_, err := b.f.NewSheet(sheet)
	b.check(err)
	b.printable(sheet)
	if across {
		b.printAcross(sheet, 1)
	}
	sw, err := b.f.NewStreamWriter(sheet)
	if err != nil {
		b.check(err)
		return nil
	}
	for i, w := range widths {
		b.check(sw.SetColWidth(i+1, i+1, w))
	}
	b.check(sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = excelize.Cell{Value: h, StyleID: headerStyle}
	}
	b.check(sw.SetRow("A1", cells, excelize.RowOpts{Height: height}))
	return sw
}

// finish adds a filter over the streamed rows and flushes the sheet.
func (b *book) finish(sw *excelize.StreamWriter, name string, cols, rows int) {
	last, _ := excelize.CoordinatesToCellName(cols, max(rows+1, 2))
	b.check(sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: name, StyleName: "TableStyleLight1", ShowRowStripes: boolPtr(false)}))
	b.check(sw.Flush())
}

func boolPtr(v bool) *bool { return &v }

// assessedStandards are the standards some host's result assesses: the
// per-host columns worth showing.
func (b *book) assessedStandards() []*StandardTally {
	var out []*StandardTally
	for _, s := range b.r.Standards {
		if s.Assessed > 0 {
			out = append(out, s)
		}
	}
	return out
}

func (b *book) hosts() {
	std := b.assessedStandards()
	header := []string{"Host", "OS / build", "Last scan (UTC)", "Age (days)", "Stale", "Outcome", "Score", "Failing checks", "Worst failing severity", "Could not tell"}
	widths := []float64{18, osWidth, 17, 8, 7, 22, 7, 9, 10, 8}
	for _, s := range std {
		header = append(header, fmt.Sprintf("Standard %d", s.Number))
		widths = append(widths, 13)
	}
	header = append(header, "Tool version", "Note", "Result file")
	widths = append(widths, 10, 30, 50)
	sw := b.streamAcross(sheetHosts, header, widths)
	if sw == nil {
		return
	}
	now := b.r.GeneratedAt
	for i, h := range b.r.Hosts {
		row := []any{
			b.cell(h.Name, b.Wrap), b.cell(h.OS, b.Wrap), b.cell(h.ScannedAt.UTC().Truncate(time.Minute), b.day),
			b.cell(h.AgeDays(now), b.Number), b.cell(yes(h.Stale), b.staleStyle(h.Stale)),
			b.cell(string(h.Outcome), b.Outcome[h.Outcome]), b.cell(scoreCell(h.Score), b.Number),
			b.cell(h.Failing, b.Number), b.cell(severityText(h.Worst), b.Wrap), b.cell(h.Unsure, b.Number),
		}
		for _, s := range std {
			o := h.StandardOutcome(s.Number)
			row = append(row, b.cell(report.ShortOutcome(o), b.Outcome[o]))
		}
		row = append(row, b.cell(h.ToolVersion, b.Wrap), b.cell(h.Note(), b.Wrap), b.cell(h.File, b.Wrap))
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		lines := max(wrappedLines(h.OS, osWidth), wrappedLines(h.Name, 18), wrappedLines(h.Note(), 30), wrappedLines(h.File, 50))
		b.check(sw.SetRow(cell, row, excelize.RowOpts{Height: report.RowHeight(lines)}))
	}
	b.finish(sw, "Hosts", len(header), len(b.r.Hosts))
}

func (b *book) staleStyle(stale bool) int {
	if stale {
		return b.Status[standards.Warn]
	}
	return 0
}

func yes(v bool) string {
	if v {
		return "Yes"
	}
	return ""
}

func scoreCell(score int) any {
	if score < 0 {
		return ""
	}
	return score
}

func severityText(s standards.Severity) string {
	if s == 0 {
		return ""
	}
	return s.String()
}

func (b *book) checks() {
	const sheet = sheetChecks
	_, err := b.f.NewSheet(sheet)
	b.check(err)
	header := []string{"Check", "Title", "Severity", "Hosts", "Fail", "Warn", "Unknown", "Needs admin", "Pass", "Not applicable", "Failing share"}
	b.widths(sheet, 24, checkTitleWidth, 10, 8, 8, 8, 10, 8, 8, 11, 10)
	for i, h := range header {
		b.set(sheet, i+1, 1, h, b.Header)
	}
	b.check(b.f.SetRowHeight(sheet, 1, 30))
	for i, c := range b.r.Checks {
		row := i + 2
		b.set(sheet, 1, row, c.ID, b.Wrap)
		b.set(sheet, 2, row, c.Title, b.Wrap)
		b.set(sheet, 3, row, c.Severity.String(), b.Wrap)
		b.set(sheet, 4, row, c.Hosts(), b.Number)
		for j, s := range []standards.Status{standards.Fail, standards.Warn, standards.Unknown, standards.NeedsAdmin, standards.Pass, standards.NotApplicable} {
			style := b.Number
			if c.Count(s) > 0 && s != standards.Pass {
				style = b.StatusCount[s]
			}
			b.set(sheet, 5+j, row, c.Count(s), style)
		}
		b.check(b.f.SetRowHeight(sheet, row, report.RowHeight(report.WrappedLines(c.Title, checkTitleWidth))))
		if share := c.FailingShare(); share >= 0 {
			b.set(sheet, 11, row, share, b.Percent)
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(header), max(len(b.r.Checks)+1, 2))
	b.check(b.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	b.check(b.f.AutoFilter(sheet, "A1:"+last, nil))
	b.printable(sheet)
}

// osWidth is the width of the Hosts sheet's OS column.
const osWidth = 30

// checkTitleWidth is the width of the Checks sheet's title column.
const checkTitleWidth = 44

// matrix is a grid of every host's verdict on every check, so a person
// can filter for the PCs failing one check. Check names are the header,
// turned upright so that the long ones print whole in a narrow column.
func (b *book) matrix() {
	header := []string{"Host"}
	widths := []float64{18}
	for _, c := range b.r.Checks {
		header = append(header, c.ID)
		widths = append(widths, 12)
	}
	sw := b.streamUpright(sheetMatrix, header, widths)
	if sw == nil {
		return
	}
	for i, h := range b.r.Hosts {
		row := []any{b.cell(h.Name, 0)}
		for _, c := range b.r.Checks {
			row = append(row, b.verdict(h, c))
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		b.check(sw.SetRow(cell, row))
	}
	b.finish(sw, "HostChecks", len(header), len(b.r.Hosts))
}

// verdict is a host's status for a check as the grid shows it: "n/a" for
// a check that does not run on the host's platform, as for one that found
// nothing to judge, and "not run" for one the host's result lacks (written
// by an older dspt-audit).
func (b *book) verdict(h *Host, c *CheckTally) excelize.Cell {
	s, ok := h.Status(c)
	switch {
	case ok:
		return b.cell(s.Label(), b.Status[s])
	case !report.RunsOn(c.ID, h.Platform):
		return b.cell(standards.NotApplicable.Label(), b.Status[standards.NotApplicable])
	}
	return b.cell("not run", b.Status[standards.Unknown])
}

// streamUpright is stream with the header turned 90 degrees, tall enough
// for the longest name.
func (b *book) streamUpright(sheet string, header []string, widths []float64) *excelize.StreamWriter {
	longest := 0
	for _, h := range header {
		longest = max(longest, len([]rune(h)))
	}
	return b.streamWith(sheet, header, widths, b.upright, min(409, 20+6.5*float64(longest)), false)
}

func (b *book) skipped() {
	sw := b.stream(sheetSkipped, []string{"File", "Why it was skipped"}, []float64{60, 90})
	if sw == nil {
		return
	}
	for i, s := range b.r.Skipped {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		b.check(sw.SetRow(cell, []any{b.cell(s.Path, 0), b.cell(s.Reason, 0)}))
	}
	b.finish(sw, "Skipped", 2, len(b.r.Skipped))
}

func (b *book) properties() {
	r := b.r
	b.check(b.f.SetDocProps(&excelize.DocProperties{
		Title:       "NHS data security standards: practice roll-up",
		Subject:     "DSPT / CQC evidence: " + string(r.Outcome),
		Creator:     r.Tool.Name + " " + r.Tool.Version,
		Description: fmt.Sprintf("Roll-up of %d hosts' newest results against the National Data Guardian's 10 data security standards.", len(r.Hosts)),
		Keywords:    "DSPT; CQC; NDG data security standards; fleet",
		Created:     r.GeneratedAt.UTC().Format(time.RFC3339),
		Category:    "Audit",
	}))
	// Summary, the first sheet, is the active one already; SetActiveSheet
	// would read every streamed sheet back to clear its selection.
}
