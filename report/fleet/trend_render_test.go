package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/report/internal/browser"
	"github.com/nhs-dspt/dspt-audit/report/internal/printed"
)

// yearRollup is the generated year's roll-up with its trend.
func yearRollup(t *testing.T) *Rollup {
	t.Helper()
	dir, _ := generatedYear(t)
	opts := Options{Now: trendNow, Standards: ndgStandards(t)}
	roll, err := Read(context.Background(), []string{dir}, opts)
	if err != nil {
		t.Fatal(err)
	}
	roll.Trend = readYear(t, Month, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	return roll
}

// keep writes a rendered file where a person can look at it, when asked to.
func keep(t *testing.T, name string, b []byte) {
	if dir := os.Getenv("DSPT_AUDIT_KEEP_TREND"); dir != "" {
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
}

func TestTrendSheetHoldsThePeriodsAndALineChart(t *testing.T) {
	roll := yearRollup(t)
	var b bytes.Buffer
	if err := XLSX(&b, roll); err != nil {
		t.Fatal(err)
	}
	keep(t, "trend.xlsx", b.Bytes())
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if sheets := f.GetSheetList(); len(sheets) < 2 || sheets[1] != sheetTrend {
		t.Fatalf("sheets %v: Trend is not second", sheets)
	}
	rows, err := f.GetRows(sheetTrend)
	if err != nil {
		t.Fatal(err)
	}
	tr := roll.Trend
	cols := tr.assessed()
	if rows[0][0] != "Period" || len(rows[0]) != 6+len(cols) {
		t.Fatalf("header %v", rows[0])
	}
	for i, p := range tr.Periods {
		row := rows[i+1]
		if row[0] != p.Label || row[1] != string(p.Outcome) || row[4] != itoa(p.Fixed) || row[5] != itoa(p.Regressed) {
			t.Errorf("row %d: %v, want %s %s fixed %d regressed %d", i+2, row[:6], p.Label, p.Outcome, p.Fixed, p.Regressed)
		}
		for j, s := range cols {
			cell, _ := excelize.CoordinatesToCellName(7+j, i+2)
			raw, _ := f.GetCellValue(sheetTrend, cell, excelize.Options{RawCellValue: true})
			v := p.share(s.Number)
			got, err := strconv.ParseFloat(raw, 64)
			if v < 0 && raw != "" || v >= 0 && (err != nil || math.Abs(got-v) > 1e-9) {
				t.Errorf("%s standard %d: cell %s holds %q, want %v", p.Label, s.Number, cell, raw, v)
			}
		}
	}
	var found bool
	for _, row := range rows {
		if len(row) >= 6 && row[0] == "2026-07-14" && row[1] == "GP-RECEPTION-1" && row[2] == "patches-current" && row[5] == "fixed" {
			found = true
		}
	}
	if !found {
		t.Error("the Trend sheet does not list GP-RECEPTION-1's patch on 2026-07-14")
	}
	if !slices.ContainsFunc(rows, func(row []string) bool { return len(row) > 1 && row[1] == `GP-\x1b[31mRED\u202e-7` }) {
		t.Error("the Trend sheet does not list the host with control characters in its name, shown as escapes")
	}
	chart := printed.ZipPart(t, b.Bytes(), "xl/charts/chart3.xml")
	if !bytes.Contains(chart, []byte("<lineChart>")) || bytes.Count(chart, []byte("<ser>")) != len(cols) {
		t.Errorf("chart3 is not a line chart with a line per standard assessed (%d): %.300s", len(cols), chart)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestTrendSectionDrawsTheChartWithoutScript(t *testing.T) {
	roll := yearRollup(t)
	var b bytes.Buffer
	if err := HTML(&b, roll); err != nil {
		t.Fatal(err)
	}
	keep(t, "trend.html", b.Bytes())
	page := b.String()
	section := page[strings.Index(page, `<section id="trend">`):]
	section = section[:strings.Index(section, "</section>")]
	if strings.Contains(page, "<script") {
		t.Error("the page has a script")
	}
	if strings.ContainsAny(page, "\x1b\u202e") {
		t.Error("a control character in a host name reached the page (hosts table, standards table)")
	}
	lines := regexp.MustCompile(`<polyline points="([^"]+)"`).FindAllStringSubmatch(section, -1)
	if len(lines) < len(roll.Trend.assessed()) {
		t.Errorf("%d lines drawn for %d standards", len(lines), len(roll.Trend.assessed()))
	}
	for _, l := range lines {
		for _, pt := range strings.Fields(l[1]) {
			var x, y int
			if _, err := fmtSscanf(pt, &x, &y); err != nil || x < trendLeft || x > trendWidth-trendRight || y < trendTop || y > trendTop+trendPlot {
				t.Errorf("point %s is outside the plot", pt)
			}
		}
	}
	if n := strings.Count(section, "<circle "); n != len(roll.Trend.Periods) {
		t.Errorf("%d outcome dots for %d periods", n, len(roll.Trend.Periods))
	}
	if !strings.Contains(section, "GP-RECEPTION-1</span>: <span class=\"mono\">patches-current</span> fixed") {
		t.Error("the improvements list lacks GP-RECEPTION-1's patch")
	}
	if strings.Contains(section, "\x1b") || strings.Contains(section, "\u202e") || !strings.Contains(section, "RED") {
		t.Error("a control character in a host name reached the page, or the host is not listed")
	}
}

func TestTrendTextAndJSON(t *testing.T) {
	roll := yearRollup(t)
	var text bytes.Buffer
	if err := TrendText(&text, roll.Trend, false); err != nil {
		t.Fatal(err)
	}
	keep(t, "trend.txt", text.Bytes())
	for _, want := range []string{"2026-07-14 GP-RECEPTION-1: patches-current fixed", "\n2026-11  Not Met", "Period   Outcome"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	if strings.ContainsAny(text.String(), "\x1b\u202e") {
		t.Error("a control character reached the terminal")
	}
	var js bytes.Buffer
	if err := TrendJSON(&js, roll.Trend); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Kind    string
		V       int
		Periods []struct {
			Period    string
			Standards []struct {
				Number       int
				ShareMeeting *float64 `json:"share_meeting"`
			}
		}
		Improvements []struct{ Date, Host, Check, Change string }
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Kind != TrendKind || doc.V != 1 || len(doc.Periods) != len(roll.Trend.Periods) || len(doc.Improvements) != len(roll.Trend.Improvements) {
		t.Errorf("JSON: kind %q v %d, %d periods, %d improvements", doc.Kind, doc.V, len(doc.Periods), len(doc.Improvements))
	}
	if !slices.ContainsFunc(doc.Improvements, func(i struct{ Date, Host, Check, Change string }) bool {
		return i.Date == "2026-07-14" && i.Host == "GP-RECEPTION-1" && i.Check == "patches-current" && i.Change == "fixed"
	}) {
		t.Error("JSON lacks the patch")
	}
}

func TestTrendLooksRightPrintedAndOnAPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("prints through LibreOffice and Chromium")
	}
	roll := yearRollup(t)
	var page bytes.Buffer
	if err := HTML(&page, roll); err != nil {
		t.Fatal(err)
	}
	layout := browser.Layout(t, page.Bytes(), 390)
	first, _, _ := strings.Cut(layout, "\n")
	var viewport, document int
	if _, err := fmt.Sscanf(first, "viewport %d document %d", &viewport, &document); err != nil || viewport != 390 || document > 390 {
		t.Errorf("on a 390 px phone the page is wider than the screen: %s", first)
	}
	pages := browser.PrintedPages(t, page.Bytes())
	trendPage := slices.IndexFunc(pages, func(p string) bool { return strings.Contains(p, "Trend by month") })
	if trendPage < 0 || !strings.Contains(strings.Join(pages[trendPage:], ""), "2026-11") {
		t.Errorf("no printed page shows the trend")
	}
	var book bytes.Buffer
	if err := XLSX(&book, roll); err != nil {
		t.Fatal(err)
	}
	doc := printed.Print(t, tempDir(t), book.Bytes())
	sheet := doc.SheetPages(sheetTrend)
	if len(sheet) == 0 || !sheet[0].Has("2026-11") {
		t.Errorf("the Trend sheet printed as %d pages, the first without the last month", len(sheet))
	}
}

func fmtSscanf(pt string, x, y *int) (int, error) { return fmt.Sscanf(pt, "%d,%d", x, y) }
