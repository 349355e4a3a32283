package report

import (
	"encoding/xml"
	"fmt"
	"github.com/nhs-dspt/dspt-audit/report/internal/printed"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// drawingColour is a DrawingML colour: an RGB value, or a theme colour
// lightened by luminance modulation and offset.
type drawingColour struct {
	RGB *struct {
		Val string `xml:"val,attr"`
	} `xml:"srgbClr"`
	Scheme *struct {
		Val    string `xml:"val,attr"`
		LumMod *struct {
			Val float64 `xml:"val,attr"`
		} `xml:"lumMod"`
		LumOff *struct {
			Val float64 `xml:"val,attr"`
		} `xml:"lumOff"`
	} `xml:"schemeClr"`
}

// rgb resolves the colour, taking the default Office theme's text colour
// (tx1, dk1) as black and its background (bg1, lt1) as white.
func (c drawingColour) rgb(t *testing.T) [3]float64 {
	t.Helper()
	switch {
	case c.RGB != nil:
		v, err := strconv.ParseUint(c.RGB.Val, 16, 32)
		if err != nil {
			t.Fatalf("colour %q: %v", c.RGB.Val, err)
		}
		return [3]float64{float64(v >> 16 & 0xff), float64(v >> 8 & 0xff), float64(v & 0xff)}
	case c.Scheme != nil:
		lum := 0.0
		if c.Scheme.Val == "bg1" || c.Scheme.Val == "lt1" {
			lum = 1
		}
		if c.Scheme.LumMod != nil {
			lum *= c.Scheme.LumMod.Val / 100000
		}
		if c.Scheme.LumOff != nil {
			lum += c.Scheme.LumOff.Val / 100000
		}
		grey := 255 * min(lum, 1)
		return [3]float64{grey, grey, grey}
	}
	t.Fatal("a chart text has no colour of its own")
	return [3]float64{}
}

// contrast is the WCAG 2 contrast ratio of two sRGB colours.
func contrast(a, b [3]float64) float64 {
	lum := func(c [3]float64) float64 {
		var l [3]float64
		for i, v := range c {
			v /= 255
			if v <= 0.04045 {
				l[i] = v / 12.92
			} else {
				l[i] = math.Pow((v+0.055)/1.055, 2.4)
			}
		}
		return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
	}
	la, lb := lum(a), lum(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

type axisText struct {
	Text drawingColour `xml:"txPr>p>pPr>defRPr>solidFill"`
}

var white = [3]float64{255, 255, 255}

func TestContrast(t *testing.T) {
	// WCAG's own end points, and #767676, the lightest grey at 4.5:1.
	for _, c := range []struct {
		a, b [3]float64
		want float64
	}{{white, [3]float64{}, 21}, {white, white, 1}, {white, [3]float64{0x76, 0x76, 0x76}, 4.54}} {
		if got := contrast(c.a, c.b); math.Abs(got-c.want) > 0.01 {
			t.Errorf("contrast(%v, %v) = %.2f, want %.2f", c.a, c.b, got, c.want)
		}
	}
}

// TestXLSXChartReadsOnPaper: the score chart's axis labels are dark on its
// white ground (the light grey they were measured 1.4:1), each bar takes
// its standard's outcome colour, and a score of 0 is told apart from a
// standard not assessed.
func TestXLSXChartReadsOnPaper(t *testing.T) {
	rep := buildProfile(t, biggestProfile)
	book := render(t, "xlsx", rep)
	var space struct {
		Chart struct {
			PlotArea struct {
				Bar struct {
					Series []struct {
						Fill drawingColour `xml:"spPr>solidFill"`
					} `xml:"ser"`
				} `xml:"barChart"`
				CatAx axisText `xml:"catAx"`
				ValAx axisText `xml:"valAx"`
			} `xml:"plotArea"`
		} `xml:"chart"`
	}
	raw := printed.ZipPart(t, book, "xl/charts/chart1.xml")
	if err := xml.Unmarshal(raw, &space); err != nil {
		t.Fatal(err)
	}
	plot := space.Chart.PlotArea
	for name, ax := range map[string]drawingColour{"category axis": plot.CatAx.Text, "value axis": plot.ValAx.Text} {
		if c := contrast(ax.rgb(t), white); c < 4.5 {
			t.Errorf("%s labels contrast %.1f:1 with the white chart, under WCAG's 4.5:1", name, c)
		}
	}
	if len(plot.Bar.Series) != len(chartOutcomes) {
		t.Fatalf("%d series, want one for each of %v", len(plot.Bar.Series), chartOutcomes)
	}
	for i, s := range plot.Bar.Series {
		want := ChartColours[chartOutcomes[i]]
		if got := s.Fill.RGB; got == nil || !strings.EqualFold(got.Val, want) {
			t.Errorf("series %d (%s) fill %+v, want %s", i, chartOutcomes[i], got, want)
		}
		if c := contrast(s.Fill.rgb(t), white); c < 3 {
			t.Errorf("%s bars contrast %.1f:1 with white, under WCAG's 3:1 for graphics", chartOutcomes[i], c)
		}
	}

	f := openWorkbook(t, book)
	rows, err := f.GetRows(sheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	var zero, blank int
	for _, s := range rep.Standards {
		row := summaryChartRow(t, rows, s.Number)
		label, values := row[chartDataCol-1], row[chartDataCol:]
		var plotted []string
		for i, v := range values {
			if v != "" {
				plotted = append(plotted, string(chartOutcomes[i])+"="+v)
			}
		}
		switch {
		case s.Score == nil:
			blank++
			if label != fmt.Sprint(s.Number)+" n/a" || len(plotted) > 0 {
				t.Errorf("standard %d, not assessed, is labelled %q and plotted %v", s.Number, label, plotted)
			}
		default:
			if *s.Score == 0 {
				zero++
			}
			want := []string{fmt.Sprintf("%s=%d", s.Outcome, *s.Score)}
			if label != fmt.Sprint(s.Number) || strings.Join(plotted, ",") != strings.Join(want, ",") {
				t.Errorf("standard %d (%s, %d) is labelled %q and plotted %v, want %v", s.Number, s.Outcome, *s.Score, label, plotted, want)
			}
		}
	}
	if !strings.Contains(string(raw), "n/a: not assessed") {
		t.Error(`the chart does not say what "n/a" under a standard means`)
	}
	if zero == 0 || blank == 0 {
		t.Fatalf("%s has %d standards scored 0 and %d not assessed: it no longer tells them apart", biggestProfile, zero, blank)
	}
}

// summaryChartRow is the Summary row of a standard, padded to the chart's data.
func summaryChartRow(t *testing.T, rows [][]string, number int) []string {
	t.Helper()
	for _, row := range rows {
		if len(row) >= chartDataCol && row[0] == fmt.Sprint(number) {
			return append(row, make([]string, max(0, chartDataCol+len(chartOutcomes)-len(row)))...)
		}
	}
	t.Fatalf("no chart data for standard %d", number)
	return nil
}

// TestXLSXDSPTColoursEachStatus: in a DSPT item resting on a failing and a
// passing check, the passing one reads in the pass colour, not red.
func TestXLSXDSPTColoursEachStatus(t *testing.T) {
	rep := buildProfile(t, biggestProfile)
	f := openWorkbook(t, render(t, "xlsx", rep))
	mixed := 0
	for i, it := range DSPTRows(rep) {
		if len(it.Results) == 0 {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(4, i+2)
		runs, err := f.GetCellRichText(sheetDSPT, cell)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != len(it.Results) {
			t.Fatalf("DSPT %s: %d runs for %d checks", cell, len(runs), len(it.Results))
		}
		colours := map[string]bool{}
		for j, r := range it.Results {
			want := StatusColours[r.Status][1]
			if got := runs[j].Font; got == nil || !strings.HasSuffix(strings.ToUpper(got.Color), want) {
				t.Errorf("DSPT %s: %q in %+v, want colour %s", cell, runs[j].Text, got, want)
			}
			if !strings.HasPrefix(runs[j].Text, r.ID+": "+r.Status.Label()) {
				t.Errorf("DSPT %s run %d = %q, want %s: %s", cell, j, runs[j].Text, r.ID, r.Status.Label())
			}
			colours[want] = true
		}
		if len(colours) > 1 {
			mixed++
		}
		id, _ := f.GetCellStyle(sheetDSPT, cell)
		if style, _ := f.GetStyle(id); style != nil && len(style.Fill.Color) > 0 {
			t.Errorf("DSPT %s is filled %v: one colour for the cell would colour every check in it", cell, style.Fill.Color)
		}
	}
	if mixed == 0 {
		t.Fatal("no DSPT item of the profile mixes statuses: the test proves nothing")
	}
}

// TestXLSXFindingsReferToEvidenceRows: a finding's evidence cell names
// rows of the Evidence sheet, and those rows are exactly the ones used by
// the check.
func TestXLSXFindingsReferToEvidenceRows(t *testing.T) {
	rep := buildProfile(t, biggestProfile)
	f := openWorkbook(t, render(t, "xlsx", rep))
	findings, _ := f.GetRows(sheetFindings)
	evidence, _ := f.GetRows(sheetEvidence)
	col := colOf(t, findings[0], "Evidence")
	usedBy := colOf(t, evidence[0], "Used by")
	for _, row := range findings[1:] {
		id := row[0]
		var want []int
		for i, ev := range evidence[1:] {
			if usedBy < len(ev) && slicesContains(strings.Split(ev[usedBy], ", "), id) {
				want = append(want, i+2)
			}
		}
		got := ""
		if col < len(row) {
			got = row[col]
		}
		switch {
		case len(want) == 0 && got != "":
			t.Errorf("%s refers to %q but no Evidence row is used by it", id, got)
		case len(want) == 1 && got != fmt.Sprintf("see Evidence row %d", want[0]):
			t.Errorf("%s refers to %q, want row %d", id, got, want[0])
		case len(want) > 1 && got != "see Evidence rows "+rowRanges(want):
			t.Errorf("%s refers to %q, want rows %v", id, got, want)
		}
	}
	if got := rowRanges([]int{2, 3, 4, 9, 11, 12}); got != "2–4, 9, 11–12" {
		t.Errorf("rowRanges = %q", got)
	}
}

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestXLSXPageHeaders: every sheet names the machine and the scan date in
// its header, and the page and sheet in its footer; a host name holding
// header codes prints as written.
func TestXLSXPageHeaders(t *testing.T) {
	rep := buildProfile(t, biggestProfile)
	rep.Host.Name = "PC &P&&1 &\"Arial\"" + strings.Repeat("x", 300)
	f := openWorkbook(t, render(t, "xlsx", rep))
	for _, sheet := range f.GetSheetList() {
		hf, err := f.GetHeaderFooter(sheet)
		if err != nil || hf == nil {
			t.Fatalf("%s: no header or footer (%v)", sheet, err)
		}
		if !strings.HasPrefix(hf.OddHeader, `&LPC &&P&&&&1 &&"Arial"xxx`) || !strings.Contains(hf.OddHeader, "&RScanned "+rep.ScannedAt.UTC().Format("2006-01-02")) {
			t.Errorf("%s header %q", sheet, hf.OddHeader)
		}
		if !strings.Contains(hf.OddFooter, "Page &P of &N") || !strings.Contains(hf.OddFooter, "&A") {
			t.Errorf("%s footer %q", sheet, hf.OddFooter)
		}
	}
}

// A checks folder of 2,000 checks that all evidence one DSPT item still
// makes a workbook: the item's cell lists what fits and says how many more.
func TestAWorkbookOfThousandsOfCustomChecks(t *testing.T) {
	rep := buildWithCustom(t, "win10-1607-wannacry-era", manyCustom(2000)...)
	cells := workbookCells(t, render(t, "xlsx", rep))
	found := false
	for _, c := range cells {
		if len(c) > 32767 {
			t.Fatalf("a cell of %d characters", len(c))
		}
		found = found || strings.Contains(c, "more checks (the Findings sheet lists them)")
	}
	if !found {
		t.Error("no cell says how many more checks evidence item 9.2.1")
	}
}
