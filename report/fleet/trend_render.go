package fleet

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// assessed are the standards some period's results assess: the trend's
// columns and lines.
func (t *Trend) assessed() []standards.Standard {
	var out []standards.Standard
	for i, s := range t.Standards {
		for _, p := range t.Periods {
			if i < len(p.Standards) && p.Standards[i].Assessed > 0 {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// share is standard n's share in period p, or -1.
func (p TrendPeriod) share(n int) float64 {
	for _, s := range p.Standards {
		if s.Number == n {
			return s.Share()
		}
	}
	return -1
}

func percentText(v float64) string {
	if v < 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*v)
}

// TrendFootnote says what the trend table's columns count.
const TrendFootnote = "S1..S10: share of hosts meeting the NDG standard. Fixed: hosts with a check fixed (warning or fail to pass) " +
	"or improved (fail to warning). Worse: hosts with a check regressed or newly failing. Stale: hosts with no result in the period."

// TrendText writes the trend for a terminal: one line per period and the
// improvements since the day asked for.
func TrendText(w io.Writer, t *Trend, color bool) error {
	st := report.NewTerminalStyles(w, color)
	ew := &errWriter{w: w}
	p := func(format string, args ...any) { fmt.Fprintf(ew, format, args...) }
	p("%s\n", st.Title.Render("NHS data security standards: practice trend by "+string(t.Period)))
	p("%s %s\n", st.Label.Render("Read:"), trendReadFact(t))
	cols := t.assessed()
	width := 8
	if t.Period == Week {
		width = 17 // 2026-W26 (22 Jun)
	}
	head := fmt.Sprintf("%-*s %-13s %5s %5s %5s %5s", width, "Period", "Outcome", "Hosts", "Stale", "Fixed", "Worse")
	for _, s := range cols {
		head += fmt.Sprintf(" %4s", fmt.Sprintf("S%d", s.Number))
	}
	p("\n%s\n", st.Label.Render(head))
	for _, per := range t.Periods {
		line := fmt.Sprintf("%-*s %-13s %5d %5d %5d %5d", width, per.Dated(), report.ShortOutcome(per.Outcome), per.Hosts, per.Hosts-per.Reporting, per.Fixed, per.Regressed)
		for _, s := range cols {
			line += fmt.Sprintf(" %4s", percentText(per.share(s.Number)))
		}
		p("%s\n", line)
	}
	p("%s\n", st.Faint.Render(TrendFootnote))
	since := "the start of the history"
	if !t.Since.IsZero() {
		since = t.Since.UTC().Format(time.DateOnly)
	}
	p("\n%s\n", st.Label.Render(fmt.Sprintf("Improvements since %s (%d)", since, len(t.Improvements))))
	for _, im := range t.Improvements {
		p("  %s\n", report.Truncate(im.String(), report.ShownLimit))
	}
	p("\n%s\n", st.Faint.Render(TrendRule))
	return ew.err
}

func trendReadFact(t *Trend) string {
	s := fmt.Sprintf("%d runs from compact histories, %d from full results; %d duplicates counted once (the same run read twice: from a history and a full copy, or from two copies)",
		t.Records, t.FullResults, t.Duplicates)
	if t.Future > 0 {
		s += fmt.Sprintf("; %d history records dated after now (a wrong clock or a forged line: not counted)", t.Future)
	}
	if t.Corrupt > 0 {
		s += fmt.Sprintf("; %d history lines not records (skipped)", t.Corrupt)
	}
	if t.Altered > 0 {
		s += fmt.Sprintf("; %d results with a bad signature (altered after signing: not counted)", t.Altered)
	}
	if n := t.Untrusted - t.Altered; n > 0 {
		s += fmt.Sprintf("; %d runs not counted (unsigned, or of a machine the trust store does not pin)", n)
	}
	if n := t.ForgedCount(); n > 0 {
		s += fmt.Sprintf("; %d history records not counted: %s", n, forgedList(t.Forged))
	}
	if n := len(t.Skipped); n > 0 {
		s += fmt.Sprintf("; %d %s skipped: %s", n, plural(n, "file", "files"), skippedNames(t.Skipped))
	}
	return s
}

// maxForgedListed is how many files of forged records the Read line names.
const maxForgedListed = 3

// forgedList names the files of records not counted, and why.
func forgedList(forged []ForgedRecords) string {
	var parts []string
	for i, f := range forged {
		if i == maxForgedListed {
			parts = append(parts, fmt.Sprintf("and %d more files (every one in the JSON trend)", len(forged)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("%d in %s claiming %s (%s)", f.Records, report.Sanitize(f.Path),
			report.Sanitize(report.Truncate(cmp.Or(strings.TrimSpace(f.HostName), f.HostID), 80)), f.Reason))
	}
	return strings.Join(parts, ", ")
}

// maxSkippedNamed is how many skipped files the trend's Read line names.
const maxSkippedNamed = 3

// skippedNames names the first few skipped files with their reasons.
func skippedNames(sk []Skipped) string {
	var parts []string
	for _, s := range sk[:min(len(sk), maxSkippedNamed)] {
		parts = append(parts, report.Sanitize(report.Truncate(s.Path+" ("+s.Reason+")", 200)))
	}
	text := strings.Join(parts, ", ")
	if more := len(sk) - maxSkippedNamed; more > 0 {
		text += fmt.Sprintf(" and %d more (listed in the JSON)", more)
	}
	return text
}

type trendJSON struct {
	Kind         string            `json:"kind"`
	V            int               `json:"v"`
	GeneratedAt  time.Time         `json:"generated_at"`
	Period       Period            `json:"period"`
	Since        string            `json:"since,omitempty"`
	Rule         string            `json:"rule"`
	Records      int               `json:"runs_from_histories"`
	FullResults  int               `json:"runs_from_full_results"`
	Duplicates   int               `json:"duplicates"`
	Corrupt      int               `json:"corrupt_history_lines"`
	Untrusted    int               `json:"untrusted_runs"`
	Forged       []ForgedRecords   `json:"forged_history_records"`
	Altered      int               `json:"altered_results"`
	Future       int               `json:"future_dated_records"`
	Skipped      []Skipped         `json:"skipped"`
	Periods      []trendPeriodJSON `json:"periods"`
	Improvements []improvementJSON `json:"improvements"`
}

type trendPeriodJSON struct {
	Period         string              `json:"period"`
	Start          time.Time           `json:"start"`
	End            time.Time           `json:"end"`
	Hosts          int                 `json:"hosts"`
	Reporting      int                 `json:"reporting"`
	Outcome        standards.Outcome   `json:"outcome"`
	Fixed          int                 `json:"hosts_fixed"`
	Regressed      int                 `json:"hosts_regressed"`
	FixedHosts     []string            `json:"fixed_hosts"`
	RegressedHosts []string            `json:"regressed_hosts"`
	Standards      []standardShareJSON `json:"standards"`
}

type standardShareJSON struct {
	Number       int               `json:"number"`
	Assessed     int               `json:"hosts_assessed"`
	Met          int               `json:"met_current"`
	ShareMeeting *float64          `json:"share_meeting"`
	Outcome      standards.Outcome `json:"outcome"`
}

type improvementJSON struct {
	Date   string                 `json:"date"`
	At     time.Time              `json:"scanned_at"`
	Host   string                 `json:"host"`
	HostID string                 `json:"host_id,omitempty"`
	Check  string                 `json:"check"`
	Change standards.StatusChange `json:"change"`
	// AfterRegression is the day the same check regressed on the machine,
	// when the improvement repairs it.
	AfterRegression string `json:"after_regression,omitempty"`
}

// TrendJSON writes the trend as one versioned JSON document.
func TrendJSON(w io.Writer, t *Trend) error {
	doc := trendJSON{Kind: TrendKind, V: TrendVersion, GeneratedAt: t.GeneratedAt.UTC(), Period: t.Period, Rule: TrendRule,
		Records: t.Records, FullResults: t.FullResults, Duplicates: t.Duplicates, Corrupt: t.Corrupt, Untrusted: t.Untrusted, Altered: t.Altered, Future: t.Future,
		Forged: nonNil(t.Forged), Skipped: nonNil(t.Skipped), Periods: []trendPeriodJSON{}, Improvements: []improvementJSON{}}
	if !t.Since.IsZero() {
		doc.Since = t.Since.UTC().Format(time.DateOnly)
	}
	for _, p := range t.Periods {
		jp := trendPeriodJSON{Period: p.Label, Start: p.Start, End: p.End, Hosts: p.Hosts, Reporting: p.Reporting, Outcome: p.Outcome,
			Fixed: p.Fixed, Regressed: p.Regressed, FixedHosts: nonNil(p.FixedHosts), RegressedHosts: nonNil(p.RegressedHosts)}
		for _, s := range p.Standards {
			js := standardShareJSON{Number: s.Number, Assessed: s.Assessed, Met: s.Met, Outcome: s.Outcome}
			if v := s.Share(); v >= 0 {
				js.ShareMeeting = &v
			}
			jp.Standards = append(jp.Standards, js)
		}
		doc.Periods = append(doc.Periods, jp)
	}
	for _, im := range t.Improvements {
		doc.Improvements = append(doc.Improvements, improvementJSON{Date: im.At.UTC().Format(time.DateOnly), At: im.At.UTC(),
			Host: im.Host, HostID: im.HostID, Check: im.Check, Change: im.Change, AfterRegression: dateOrEmpty(im.Repairs)})
	}
	return report.JSON(w, doc)
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

const sheetTrend = "Trend"

// trend writes the Trend sheet: a row per period (outcome, hosts, fixed,
// regressed, each standard's share meeting), a line chart of the shares,
// and the improvements.
func (b *book) trend() {
	t := b.r.Trend
	if t == nil {
		return
	}
	const sheet = sheetTrend
	_, err := b.f.NewSheet(sheet)
	b.check(err)
	b.printable(sheet)
	cols := t.assessed()
	header := []string{"Period", "Practice outcome", "Hosts", "Stale (no result)", "Hosts fixed", "Hosts regressed"}
	if t.Period == Week {
		header[0] = "Week (from Monday)"
	}
	for _, s := range cols {
		header = append(header, fmt.Sprintf("%d %s", s.Number, s.Title))
	}
	for i, h := range header {
		b.set(sheet, i+1, 1, h, b.Header)
	}
	b.check(b.f.SetRowHeight(sheet, 1, 60))
	for i, p := range t.Periods {
		row := i + 2
		b.set(sheet, 1, row, p.sheetLabel(t.Period), 0)
		b.set(sheet, 2, row, string(p.Outcome), b.Outcome[p.Outcome])
		for j, v := range []int{p.Hosts, p.Hosts - p.Reporting, p.Fixed, p.Regressed} {
			b.set(sheet, 3+j, row, v, 0)
		}
		for j, s := range cols {
			if v := p.share(s.Number); v >= 0 {
				b.set(sheet, 7+j, row, v, b.Percent)
			}
		}
	}
	widths := []float64{12, 22, 12, 12, 9, 10}
	for range cols {
		widths = append(widths, 14)
	}
	b.widths(sheet, widths...)
	b.check(b.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	last := len(t.Periods) + 1
	below := last + 2
	if len(t.Periods) > 0 && len(cols) > 0 {
		b.check(b.f.InsertPageBreak(sheet, fmt.Sprintf("A%d", below)))
		b.trendChart(sheet, fmt.Sprintf("A%d", below+1), cols, last)
		below += 24
	}
	since := "the start of the history"
	if !t.Since.IsZero() {
		since = t.Since.UTC().Format(time.DateOnly)
	}
	b.set(sheet, 1, below, fmt.Sprintf("Improvements since %s (%d)", since, len(t.Improvements)), b.Label)
	below++
	// The check and the change run over the period table's narrow columns.
	spans := []struct {
		title    string
		from, to int
	}{{"Date", 1, 1}, {"Host", 2, 2}, {"Check", 3, 5}, {"Change", 6, 8}}
	cell := func(col, row int) string { c, _ := excelize.CoordinatesToCellName(col, row); return c }
	for i, im := range append([]Improvement{{}}, t.Improvements...) {
		row := below + i
		texts := []string{im.At.UTC().Format(time.DateOnly), report.Sanitize(im.Host), report.Sanitize(im.Check), im.ChangeText()}
		for j, sp := range spans {
			text, style := texts[j], 0
			if i == 0 {
				text, style = sp.title, b.Header
			}
			for c := sp.from; c <= sp.to; c++ {
				b.set(sheet, c, row, "", style)
			}
			b.set(sheet, sp.from, row, text, style)
			if sp.to > sp.from {
				b.check(b.f.MergeCell(sheet, cell(sp.from, row), cell(sp.to, row)))
			}
		}
	}
}

// trendLineColours tell the standards' lines apart, by standard number
// (1 first): clearly distinct hues from the NHS palette, none two blues
// side by side, dark enough to print.
var trendLineColours = []string{"005EB8", "D5281B", "009639", "ED8B00", "330072", "41B6E6", "AE2573", "231F20", "00A499", "425563"}

func lineColour(n int) string {
	return trendLineColours[(n-1+len(trendLineColours))%len(trendLineColours)]
}

// The workbook's lines differ by marker as well as colour, and each is
// drawn narrower than the one before, the first three solid and the
// others dashed, so that lines that coincide (two standards with the same
// share) stay visible, one inside the other.
var (
	trendMarkers = []string{"circle", "square", "diamond", "triangle", "x", "star", "plus", "dash", "dot", "circle"}
	trendDash    = []excelize.LineDashType{excelize.LineDashSolid, excelize.LineDashSolid, excelize.LineDashSolid,
		excelize.LineDashDash, excelize.LineDashSysDash, excelize.LineDashLgDashDot, excelize.LineDashSysDot}
)

func (b *book) trendChart(sheet, at string, cols []standards.Standard, last int) {
	var series []excelize.ChartSeries
	for j, s := range cols {
		col, _ := excelize.ColumnNumberToName(7 + j)
		colour := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{lineColour(s.Number)}}
		wide := max(1.25, 4-0.5*float64(j))
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("'%s'!$%s$1", sheet, col),
			Categories: fmt.Sprintf("'%s'!$A$2:$A$%d", sheet, last),
			Values:     fmt.Sprintf("'%s'!$%s$2:$%s$%d", sheet, col, col, last),
			Fill:       colour,
			Line:       excelize.LineOptions{Width: wide, Fill: colour, Dash: trendDash[min(j, len(trendDash)-1)]},
			Marker:     excelize.ChartMarker{Symbol: trendMarkers[(s.Number-1)%len(trendMarkers)], Size: max(3, 6-j/2), Fill: colour},
		})
	}
	// A week's label is its Monday ("22 Jun 2026"): shown every few weeks
	// and slanted, so that labels never break into fragments.
	skip := 1
	if n := last - 1; n > 12 {
		skip = (n + 8) / 9
	}
	one, zero := 1.0, 0.0
	percent := excelize.ChartNumFmt{CustomNumFmt: "0%"}
	ink := excelize.Font{Color: "231F20", Size: 9} // axis labels dark enough to print
	b.check(b.f.AddChart(sheet, at, &excelize.Chart{
		Type:     excelize.Line,
		Series:   series,
		Title:    excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Share of hosts meeting each NDG standard, by " + string(b.r.Trend.Period)}}},
		Legend:   excelize.ChartLegend{Position: "bottom"},
		PlotArea: excelize.ChartPlotArea{NumFmt: percent},
		YAxis:    excelize.ChartAxis{Maximum: &one, Minimum: &zero, NumFmt: percent, MajorGridLines: true, Font: ink},
		XAxis: excelize.ChartAxis{Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: string(b.r.Trend.Period)}}}, Font: ink,
			TickLabelSkip: skip, Alignment: excelize.Alignment{TextRotation: -45}},
		Dimension:    excelize.ChartDimension{Width: 640, Height: 400},
		ShowBlanksAs: "gap",
	}))
}

// svgTrend is the trend's line chart as inline SVG.
type svgTrend struct {
	Label         string
	Width, Height int
	Grid          []svgGridLine
	XLabels       []svgText
	Lines         []svgLine
	Outcomes      []svgDot
}

type svgGridLine struct {
	Y     int
	Label string
}

type svgText struct {
	X      int
	Text   string
	Anchor string
}

type svgLine struct {
	Title    string
	Colour   string
	Dash     string
	Segments []string // points of each unbroken stretch
}

type svgDot struct {
	X     int
	Class string
	Title string
}

// The chart's plot area: left margin for the percentages, a row of
// practice-outcome dots above the period labels.
const (
	trendLeft, trendRight, trendTop = 50, 12, 10
	trendPlot                       = 200
	trendWidth                      = 600
)

var trendDashes = []string{"", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3", "", "6 3"}

func trendSVG(t *Trend) svgTrend {
	c := svgTrend{Label: "Share of hosts meeting each NDG standard, by " + string(t.Period), Width: trendWidth, Height: trendTop + trendPlot + 50}
	for _, v := range []int{0, 25, 50, 75, 100} {
		c.Grid = append(c.Grid, svgGridLine{Y: trendTop + trendPlot - v*trendPlot/100, Label: fmt.Sprintf("%d%%", v)})
	}
	n := len(t.Periods)
	x := func(i int) int {
		if n <= 1 {
			return trendLeft
		}
		return trendLeft + i*(trendWidth-trendLeft-trendRight)/(n-1)
	}
	// At most 6 labels, so that they stay apart on a phone; the last
	// period is labelled unless a label is close before it.
	every := max(1, int(math.Ceil(float64(n)/5)))
	for i, p := range t.Periods {
		labelled := i%every == 0 || i == n-1 && (n-1)%every > every/2
		if labelled {
			anchor := "middle"
			switch {
			case i == 0:
				anchor = "start"
			case i == n-1:
				anchor = "end"
			}
			c.XLabels = append(c.XLabels, svgText{X: x(i), Text: p.chartLabel(t.Period), Anchor: anchor})
		}
		c.Outcomes = append(c.Outcomes, svgDot{X: x(i), Class: report.OutcomeClass(p.Outcome), Title: p.Label + ": " + string(p.Outcome)})
	}
	for _, s := range t.assessed() {
		l := svgLine{Title: fmt.Sprintf("%d %s", s.Number, s.Title), Colour: "#" + lineColour(s.Number), Dash: trendDashes[s.Number%len(trendDashes)]}
		var pts []string
		for i, p := range t.Periods {
			v := p.share(s.Number)
			if v < 0 {
				if len(pts) > 0 {
					l.Segments = append(l.Segments, strings.Join(pts, " "))
				}
				pts = nil
				continue
			}
			pts = append(pts, fmt.Sprintf("%d,%d", x(i), trendTop+trendPlot-int(math.Round(v*trendPlot))))
		}
		if len(pts) > 0 {
			l.Segments = append(l.Segments, strings.Join(pts, " "))
		}
		c.Lines = append(c.Lines, l)
	}
	return c
}

// Dated is the period's label, a week's with its Monday: "2026-W26 (22 Jun)".
func (p TrendPeriod) Dated() string {
	if strings.Contains(p.Label, "-W") {
		return p.Label + p.Start.UTC().Format(" (2 Jan)")
	}
	return p.Label
}

// sheetLabel is the period as the workbook's first column shows it, and
// the chart's axis: a week by its Monday's date.
func (p TrendPeriod) sheetLabel(period Period) string {
	if period == Week {
		return p.Start.UTC().Format("2 Jan 2006")
	}
	return p.Label
}

// chartLabel is the period under the page's chart: a week by its Monday.
func (p TrendPeriod) chartLabel(period Period) string {
	if period == Week {
		return p.Start.UTC().Format("2 Jan")
	}
	return p.Label
}

// Footnote is TrendFootnote, for templates.
func (t *Trend) Footnote() string { return TrendFootnote }

// Rule is TrendRule, for templates.
func (t *Trend) Rule() string { return TrendRule }

// trendView is the HTML's Trend section.
type trendView struct {
	*Trend
	Chart   svgTrend
	Columns []standards.Standard
	Read    string
}

// Cells are the period's shares, in the order of Columns.
func (v trendView) Cells(p TrendPeriod) []string {
	var out []string
	for _, s := range v.Columns {
		out = append(out, percentText(p.share(s.Number)))
	}
	return out
}

func newTrendView(t *Trend) *trendView {
	if t == nil {
		return nil
	}
	return &trendView{Trend: t, Chart: trendSVG(t), Columns: t.assessed(), Read: trendReadFact(t)}
}
