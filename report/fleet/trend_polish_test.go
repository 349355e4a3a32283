package fleet

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/report/internal/printed"
	"github.com/nhs-dspt/dspt-audit/standards"
)

func day(m time.Month, d int) time.Time { return time.Date(2026, m, d, 9, 0, 0, 0, time.UTC) }

func runWith(at time.Time, s standards.Status) run {
	return run{series: "id-a", id: "id-a", name: "PC-A", at: at, checks: map[string]standards.Status{"firewall-on": s}}
}

// A check that regressed and was fixed again within the window is listed
// as repairing that regression, not as progress; one whose regression
// came before the window reads as a plain fix.
func TestAnImprovementAfterARegressionSaysSo(t *testing.T) {
	series := seriesOf([]run{runWith(day(7, 1), standards.Pass), runWith(day(7, 10), standards.Fail), runWith(day(7, 21), standards.Pass)}, nil)
	got := improvements(series, day(6, 1))
	if len(got) != 1 || got[0].String() != "2026-07-21 PC-A: firewall-on fixed, after it regressed 2026-07-10" {
		t.Errorf("improvements %v", got)
	}
	got = improvements(series, day(7, 15))
	if len(got) != 1 || got[0].String() != "2026-07-21 PC-A: firewall-on fixed" {
		t.Errorf("with the regression before --since: %v", got)
	}
	var b bytes.Buffer
	TrendJSON(&b, &Trend{Improvements: improvements(series, time.Time{})})
	if !strings.Contains(b.String(), `"after_regression": "2026-07-10"`) {
		t.Errorf("JSON: %s", b.String())
	}
}

// The text says what Fixed counts, shows weeks with their Mondays, names
// the files skipped and says what a duplicate is.
func TestTrendTextExplainsItself(t *testing.T) {
	tr := readYear(t, Week, time.Time{})
	tr.Skipped = []Skipped{{"a.json", "not JSON"}, {"b.json", "cut short"}, {"c.json", "empty"}, {"d.json", "empty"}}
	var text bytes.Buffer
	TrendText(&text, tr, false)
	for _, want := range []string{
		"Fixed: hosts with a check fixed (warning or fail to pass) or improved (fail to warning)",
		"\n2026-W48 (23 Nov) Not Met",
		"duplicates counted once (the same run read twice: from a history and a full copy, or from two copies)",
		"4 files skipped: a.json (not JSON), b.json (cut short), c.json (empty) and 1 more",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%.1500s", want, text.String())
		}
	}
}

// A signed copy whose scan time was edited afterwards is counted as
// altered, not as unsigned or unpinned.
func TestAnAlteredCopyIsCalledAltered(t *testing.T) {
	dir := tempDir(t)
	a := newPC("PC-A", "ID-A")
	a.monthly(t, dir, time.October, time.November)
	path := a.write(t, dir, day(9, 15))
	b, _ := os.ReadFile(path)
	writeFile(t, path, bytes.Replace(b, []byte("2026-09-15T09:00:00Z"), []byte("2026-09-16T09:00:00Z"), 1))
	trust := NewTrust()
	trust.pin(a.pin())
	tr, err := ReadTrend(context.Background(), []string{dir}, Options{Now: trendNow, Standards: ndgStandards(t), Trust: trust}, TrendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Altered != 1 || tr.Untrusted != 1 || !strings.Contains(trendReadFact(tr), "1 results with a bad signature (altered after signing: not counted)") ||
		strings.Contains(trendReadFact(tr), "unsigned") {
		t.Errorf("%d altered, %d untrusted: %s", tr.Altered, tr.Untrusted, trendReadFact(tr))
	}
}

// The workbook's chart: each standard's line its own colour, marker and
// width (narrower each time, so a line under another shows round it);
// weeks labelled by their Monday, some skipped and slanted; the
// improvements under a heading.
func TestTrendChartTellsTheLinesApart(t *testing.T) {
	roll := yearRollup(t)
	roll.Trend = readYear(t, Week, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	var b bytes.Buffer
	if err := XLSX(&b, roll); err != nil {
		t.Fatal(err)
	}
	keep(t, "trend-week.xlsx", b.Bytes())
	chart := string(printed.ZipPart(t, b.Bytes(), "xl/charts/chart3.xml"))
	sers := strings.Split(chart, "<ser>")[1:]
	if len(sers) < 6 {
		t.Fatalf("%d lines", len(sers))
	}
	colour := regexp.MustCompile(`<a:ln [^>]*w="(\d+)"[^>]*><a:solidFill><a:srgbClr val="([0-9A-F]{6})"`)
	symbol := regexp.MustCompile(`<symbol val="(\w+)"`)
	var colours, symbols []string
	lastWidth := 1 << 30
	for i, s := range sers {
		m := colour.FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("line %d has no colour of its own: %.400s", i, s)
		}
		w := 0
		for _, c := range m[1] {
			w = w*10 + int(c-'0')
		}
		if w >= lastWidth && w > 15875 {
			t.Errorf("line %d is %d EMU wide, not narrower than the one before (%d)", i, w, lastWidth)
		}
		lastWidth = w
		colours = append(colours, m[2])
		symbols = append(symbols, symbol.FindStringSubmatch(s)[1])
	}
	if slices.Sort(colours); len(slices.Compact(slices.Clone(colours))) != len(colours) {
		t.Errorf("colours repeat: %v", colours)
	}
	if slices.Sort(symbols); len(slices.Compact(slices.Clone(symbols))) != len(symbols) {
		t.Errorf("markers repeat: %v", symbols)
	}
	if !strings.Contains(chart, `<tickLblSkip val="6">`) || !strings.Contains(chart, `rot="-2700000"`) {
		t.Errorf("the weeks' labels are neither skipped nor slanted: %.300s", chart[strings.Index(chart, "<catAx>"):])
	}
	f, _ := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	rows, _ := f.GetRows(sheetTrend)
	if rows[0][0] != "Week (from Monday)" || rows[len(roll.Trend.Periods)][0] != "23 Nov 2026" {
		t.Errorf("first column %q, last week %q", rows[0][0], rows[len(roll.Trend.Periods)][0])
	}
	if !slices.ContainsFunc(rows, func(r []string) bool { return len(r) > 0 && strings.HasPrefix(r[0], "Improvements since 2026-06-01 (") }) {
		t.Error("the improvements have no heading")
	}
}
