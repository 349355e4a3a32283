package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

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
	Number                              int // a count, centred so it never runs into the text beside it
	Status                              map[standards.Status]int
	StatusCount                         map[standards.Status]int // a count coloured by its status, centred
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
	centred := &excelize.Alignment{Vertical: "top", Horizontal: "center"}
	st := SheetStyles{
		Title: style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}),
		Label: style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}}),
		Header: style(&excelize.Style{
			Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"005EB8"}}, // NHS blue
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		}),
		Wrap:        style(&excelize.Style{Alignment: top}),
		Percent:     style(&excelize.Style{NumFmt: 9, Alignment: centred}), // 0%
		Number:      style(&excelize.Style{Alignment: centred}),
		Status:      map[standards.Status]int{},
		StatusCount: map[standards.Status]int{},
		Outcome:     map[standards.Outcome]int{},
	}
	coloured := func(c [2]string, align *excelize.Alignment) int {
		return style(&excelize.Style{
			Font:      &excelize.Font{Bold: true, Color: c[1]},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c[0]}},
			Alignment: align,
		})
	}
	for s, c := range StatusColours {
		st.Status[s] = coloured(c, top)
		st.StatusCount[s] = coloured(c, centred)
	}
	for o, c := range OutcomeColours {
		st.Outcome[o] = coloured(c, top)
	}
	return st, firstErr
}

// PrintSetup makes a sheet print landscape on A4, one page wide and as
// many pages long as it takes, with narrow side margins: a sheet squeezed
// onto one page prints too small to read. Any sheet but a summary repeats
// its header row on each page. A streamed sheet must be set up before its
// stream starts: after, excelize would read the whole sheet back.
func PrintSetup(f *excelize.File, sheet string, summary bool) error {
	landscape, a4, one, tall, fit := "landscape", 9, 1, 0, true
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, Size: &a4, FitToWidth: &one, FitToHeight: &tall}); err != nil {
		return err
	}
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	side, edge, header := 0.3, 0.6, 0.25 // inches
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side, Top: &edge, Bottom: &edge, Header: &header, Footer: &header}); err != nil {
		return err
	}
	if summary {
		return nil
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$1", sheet), Scope: sheet})
}

// PageHeader puts on every printed page of a sheet what loose pages are
// matched by: who (the machine or the practice) on the left and when on
// the right of the header, the sheet's name and "Page n of N" in the
// footer.
func PageHeader(f *excelize.File, sheet, who, when string) error {
	return f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{
		OddHeader: "&L" + headerText(who) + "&R" + headerText(when),
		OddFooter: "&L&A&CPage &P of &N",
	})
}

// headerText is text shown as it is in a page header: visible, short
// enough for Excel's 255 characters a header, with & (a header's code
// character) doubled.
func headerText(s string) string {
	return strings.ReplaceAll(Clip(Sanitize(s), 60), "&", "&&")
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
	rep = forViews(rep)
	f := excelize.NewFile()
	defer f.Close()
	styles, err := NewSheetStyles(f)
	if err != nil {
		return fmt.Errorf("building the workbook: %w", err)
	}
	wb := &workbook{SheetStyles: styles, f: f, rep: rep, colWidths: map[string][]float64{}}
	evidence, evidenceRows := evidenceTable(rep.ByAttention())
	wb.summary()
	wb.findings(evidenceRows)
	wb.evidence(evidence)
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

// wrappedLines estimates how many lines text takes in a column of the
// sheet.
func (wb *workbook) wrappedLines(sheet string, col int, text string) int {
	widths := wb.colWidths[sheet]
	if col >= len(widths) {
		return 1
	}
	return WrappedLines(text, widths[col])
}

// WrappedLines estimates how many lines text takes in a column width
// units wide, wrapping as spreadsheet programs do: at spaces, and a word
// longer than a line across lines. A unit holds about one character of
// the default font.
func WrappedLines(text string, width float64) int {
	perLine := max(1, int(width*1.05))
	lines := 0
	for _, para := range strings.Split(text, "\n") {
		lines++
		used := 0
		for _, word := range strings.Fields(para) {
			n := utf8.RuneCountInString(word)
			switch {
			case used > 0 && used+1+n <= perLine:
				used += 1 + n
			case used > 0:
				lines++
				fallthrough
			default:
				lines += (n - 1) / perLine
				used = (n-1)%perLine + 1
			}
		}
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
	wb.widths(sheet, 18, 30, 8, 10, 24, 30, 28)
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
		{"Reference data", strings.Join(data, "; ")},
		{"Overall outcome", string(rep.Outcome)},
		{"Score", scoreText(rep.Score) + ", coverage " + percent(rep.Coverage)},
		{"Checks", countsText(rep.Counts)},
		{"Result age", rep.AgeText()},
	}
	facts = append(facts, rep.Provenance()...)
	if len(rep.DataNotes) > 0 {
		facts = slices.Insert(facts, 6, [2]string{"Data notes", strings.Join(rep.DataNotes, " ")})
	}
	row := 3
	for _, kv := range facts {
		// A fact spans B:G and wraps there, so a long line never widens the page.
		wb.summaryLine(sheet, row, kv[0], kv[1])
		if kv[0] == "Overall outcome" {
			wb.styleCell(sheet, 2, row, wb.Outcome[rep.Outcome])
		}
		row++
	}

	row = wb.practiceHead(sheet, row+1)
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
	row = wb.practiceAttested(sheet, row+2)
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
	// The chart starts a page: a chart cut by a page break prints in halves.
	wb.check(wb.f.InsertPageBreak(sheet, fmt.Sprintf("A%d", row)))
	wb.scoreChart(fmt.Sprintf("A%d", row+1), tableTop, rep.Standards)
}

// ChartColours are the outcomes' colours as chart bars and slices: each
// at least 3:1 against white, WCAG's contrast for graphics.
var ChartColours = map[standards.Outcome]string{
	standards.Met: "007F3B", standards.Approaching: "C76B00", standards.NotMet: "D5281B", standards.NotAssessed: "768692",
}

// ChartText is the colour of a chart's axes, labels and titles: dark grey,
// 10:1 against white.
const ChartText = "404040"

// chartOutcomes are the outcomes a score chart draws, one series each, in
// legend order.
var chartOutcomes = []standards.Outcome{standards.Met, standards.Approaching, standards.NotMet}

// First of the hidden columns of a summary that an outcome chart plots:
// category labels, then one column of values per outcome.
const chartDataCol = 23 // W

// OutcomeBar is one bar of an outcome chart; a nil Value is a standard
// not assessed, drawn as no bar over a category marked "n/a", which the
// axis title explains.
type OutcomeBar struct {
	Label   string
	Value   *float64
	Outcome standards.Outcome
}

// OutcomeChart adds a column chart to a summary sheet, each bar coloured
// by its outcome, in dark grey text, from the header row top down. Excel
// colours by series, not by value, so each outcome is a series of its
// own in hidden columns, blank where a bar has another outcome. A value
// of 0 is a labelled bar of height 0. The chart's title, axes' scale and
// size come from chart; its series, legend and colours are set here.
func OutcomeChart(f *excelize.File, sheet, at string, top int, bars []OutcomeBar, chart excelize.Chart) error {
	col := func(i int) string { name, _ := excelize.ColumnNumberToName(chartDataCol + i); return name }
	cell := func(i, row int) string { return fmt.Sprintf("%s%d", col(i), row) }
	values := map[string]any{cell(0, top): "Category"}
	for j, o := range chartOutcomes {
		values[cell(j+1, top)] = string(o)
	}
	for i, b := range bars {
		label := b.Label
		if b.Value == nil {
			label += " n/a"
		}
		values[cell(0, top+1+i)] = label
		if j := slices.Index(chartOutcomes, b.Outcome); j >= 0 && b.Value != nil {
			values[cell(j+1, top+1+i)] = *b.Value
		}
	}
	for ref, v := range values {
		if err := f.SetCellValue(sheet, ref, v); err != nil {
			return err
		}
	}
	if err := f.SetColVisible(sheet, col(0)+":"+col(len(chartOutcomes)), false); err != nil {
		return err
	}
	ref := func(i int) string {
		return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheet, col(i), top+1, col(i), top+len(bars))
	}
	text := excelize.Font{Color: ChartText, Size: 11}
	chart.Series = nil
	for j, o := range chartOutcomes {
		chart.Series = append(chart.Series, excelize.ChartSeries{
			Name:       fmt.Sprintf("'%s'!$%s$%d", sheet, col(j+1), top),
			Categories: ref(0),
			Values:     ref(j + 1),
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{ChartColours[o]}},
			DataLabel:  excelize.ChartDataLabel{Font: text},
		})
	}
	for i := range chart.Title.Paragraph {
		chart.Title.Paragraph[i].Font = &excelize.Font{Color: ChartText, Bold: true, Size: 13}
	}
	for i := range chart.XAxis.Title.Paragraph {
		chart.XAxis.Title.Paragraph[i].Font = &text
	}
	overlap := 100
	chart.Type, chart.Overlap, chart.ShowBlanksAs = excelize.Col, &overlap, "gap"
	chart.Legend = excelize.ChartLegend{Position: "bottom", Font: &text}
	chart.XAxis.Font, chart.YAxis.Font = text, text
	chart.YAxis.MajorGridLines = true
	chart.PlotArea.ShowVal = true
	return f.AddChart(sheet, at, &chart)
}

// scoreChart draws the per-standard scores below the standards table.
func (wb *workbook) scoreChart(at string, top int, scores []StandardResult) {
	bars := make([]OutcomeBar, len(scores))
	for i, s := range scores {
		bars[i] = OutcomeBar{Label: fmt.Sprint(s.Number), Outcome: s.Outcome}
		if s.Score != nil {
			v := float64(*s.Score)
			bars[i].Value = &v
		}
	}
	hundred, zero := 100.0, 0.0
	wb.check(OutcomeChart(wb.f, sheetSummary, at, top, bars, excelize.Chart{
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Score per NDG data security standard (0-100)"}}},
		XAxis:     excelize.ChartAxis{Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "NDG standard (n/a: not assessed)"}}}},
		YAxis:     excelize.ChartAxis{Maximum: &hundred, Minimum: &zero},
		Dimension: excelize.ChartDimension{Width: 720, Height: 320},
	}))
}

func countsText(counts map[string]int) string {
	var parts []string
	for _, s := range []standards.Status{standards.Fail, standards.Warn, standards.NeedsAdmin, standards.Unknown, standards.Pass, standards.NotApplicable} {
		if n := counts[s.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s.Label()))
		}
	}
	return strings.Join(parts, ", ")
}

// findingSheetHeader is the Findings sheet's header: the CSV's columns
// less what does not fit a printed page at a readable size. The mappings
// other than the NDG standard share one column, and evidence is on the
// Evidence sheet, referred to by its rows.
var findingSheetHeader = []string{
	"Check", "Title", "Status", "Severity", "NDG standard", "DSPT item and frameworks",
	"Finding", "Evidence", "Remediation", "If fixed",
}

func (wb *workbook) findings(evidenceRows map[string][]int) {
	const sheet = sheetFindings
	_, err := wb.f.NewSheet(sheet)
	wb.check(err)
	results := wb.rep.ByAttention()
	wb.widths(sheet, 19, 17, 8, 8, 9, 19, 26, 10, 20, 10)
	wb.table(sheet, findingSheetHeader, len(results)+1)
	for i, r := range results {
		row := i + 2
		wb.set(sheet, row, anys(findingSheetRow(r, evidenceRows[r.ID]))...)
		wb.styleCell(sheet, 3, row, wb.Status[r.Status])
	}
}

func findingSheetRow(r CheckResult, evidenceRows []int) []string {
	var ndg []string
	for _, n := range r.Mappings.NDG {
		ndg = append(ndg, fmt.Sprint(n))
	}
	var mapped []string
	for _, m := range []struct {
		name string
		refs []string
	}{{"DSPT", r.Mappings.DSPTItems}, {"earlier DSPT", r.Mappings.DSPT}, {"Cyber Essentials", r.Mappings.CyberEssentials}, {"CAF", r.Mappings.CAF}, {"CIS", r.Mappings.CIS}} {
		if len(m.refs) > 0 {
			mapped = append(mapped, m.name+": "+strings.Join(m.refs, "; "))
		}
	}
	var fixed []string
	for _, c := range r.IfFixed {
		fixed = append(fixed, c.String())
	}
	evidence := ""
	if len(evidenceRows) > 0 {
		evidence = "see Evidence rows " + rowRanges(evidenceRows)
		if len(evidenceRows) == 1 {
			evidence = fmt.Sprintf("see Evidence row %d", evidenceRows[0])
		}
	}
	return []string{
		r.ID, r.Title, r.Status.Label(), r.Severity.String(), strings.Join(ndg, "; "),
		strings.Join(mapped, "\n"), findingText(r), evidence, remediationShown(r), strings.Join(fixed, "\n"),
	}
}

// remediationShown is a check's remediation where there is something to
// fix: a passing check has nothing to remedy.
func remediationShown(r CheckResult) string {
	if r.Status == standards.Pass || r.Status == standards.NotApplicable {
		return ""
	}
	return r.Remediation
}

// rowRanges writes ascending row numbers as ranges: 2–4, 9.
func rowRanges(rows []int) string {
	var parts []string
	for i := 0; i < len(rows); {
		j := i
		for j+1 < len(rows) && rows[j+1] == rows[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, fmt.Sprint(rows[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d–%d", rows[i], rows[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// usedEvidence is one observation and the checks that rest on it.
type usedEvidence struct {
	Evidence
	checks []string
}

// evidenceTable is every observation once, in the order of the Findings
// sheet, and the Evidence sheet rows each check rests on, ascending.
func evidenceTable(results []CheckResult) ([]*usedEvidence, map[string][]int) {
	var rows []*usedEvidence
	seen := map[string]int{} // row index by source and query
	rowsOf := map[string][]int{}
	type use struct {
		row int
		id  string
	}
	used := map[use]bool{}
	for _, r := range results {
		for _, e := range r.Evidence {
			key := string(e.Source) + "\x00" + e.Query
			i, ok := seen[key]
			if !ok {
				i = len(rows)
				seen[key] = i
				rows = append(rows, &usedEvidence{Evidence: e})
			}
			if used[use{i, r.ID}] {
				continue
			}
			used[use{i, r.ID}] = true
			rows[i].checks = append(rows[i].checks, r.ID)
			rowsOf[r.ID] = append(rowsOf[r.ID], i+2) // under the header row
		}
	}
	for _, rs := range rowsOf {
		slices.Sort(rs)
	}
	return rows, rowsOf
}

func (wb *workbook) evidence(rows []*usedEvidence) {
	const sheet = sheetEvidence
	_, err := wb.f.NewSheet(sheet)
	wb.check(err)
	wb.widths(sheet, 13, 42, 26, 13, 26, 22)
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
// statusRuns is "check: status" a line for each result, each line in its
// own status's colour, so that one failing check does not colour the
// checks beside it that pass.
// A cell holds at most ShownLimit characters of them: past that the last
// line says how many more checks the Findings sheet has.
func statusRuns(results []CheckResult) []excelize.RichTextRun {
	runs := make([]excelize.RichTextRun, 0, len(results))
	length := 0
	for i, r := range results {
		text := r.ID + ": " + r.Status.Label()
		if i < len(results)-1 {
			text += "\n"
		}
		if length += len(text); length > ShownLimit {
			more := len(results) - i
			runs = append(runs, excelize.RichTextRun{Text: fmt.Sprintf("… and %d more %s (the Findings sheet lists them)", more, plural(more, "check", "checks"))})
			break
		}
		bad := r.Status == standards.Fail || r.Status == standards.Warn
		runs = append(runs, excelize.RichTextRun{Text: text, Font: &excelize.Font{Color: StatusColours[r.Status][1], Bold: bad}})
	}
	return runs
}

var statusWords = map[standards.Status]string{
	standards.Pass:          "met",
	standards.Warn:          "met with a warning",
	standards.Fail:          "NOT met",
	standards.Unknown:       "could not be determined",
	standards.NeedsAdmin:    "not determined (the scan needs administrator rights)",
	standards.NotApplicable: "not applicable",
}

// printable sets every sheet up for printing (PrintSetup), each page
// headed with the machine and the scan's date.
func (wb *workbook) printable() {
	when := "Scanned " + wb.rep.ScannedAt.UTC().Format(time.DateOnly)
	for _, sheet := range wb.f.GetSheetList() {
		wb.check(PrintSetup(wb.f, sheet, sheet == sheetSummary))
		wb.check(PageHeader(wb.f, sheet, wb.rep.Host.Name, when))
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

// RunsOn reports whether this build's check of that ID runs on the
// platform ("windows", "linux"); false for a check it does not have.
func RunsOn(id, platform string) bool {
	c, ok := catalogue()[id]
	return ok && slices.Contains(c.Platforms, platform)
}
