package fleet

import (
	"bytes"
	"math"

	"github.com/xuri/excelize/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/internal/printed"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// runTogether finds a number printed against the next word on its line,
// closer than a space (a fifth of its height; a space is a quarter), as
// "0Met", "22critical" and "1Personal confidential data" printed.
func runTogether(p printed.Page) (number, next string, found bool) {
	for _, n := range p.Words {
		if !isNumber.MatchString(n.Text) {
			continue
		}
		for _, w := range p.Words {
			gap := w.XMin - n.XMax
			if math.Abs(w.YMax-n.YMax) < 1 && gap > -1 && gap < 0.2*n.Height() {
				return n.Text, w.Text, true
			}
		}
	}
	return "", "", false
}

var isNumber = regexp.MustCompile(`^\d+%?$`)

// TestXLSXPrintsReadably prints the roll-up workbook of a generated share
// (Windows and Linux hosts, some results from the first release) through
// LibreOffice and reads the pages: every page says it is the practice
// roll-up, its date and which page of how many; the Checks sheet prints its
// counts on the pages of the names, nothing prints over anything else,
// check names print whole, a check that does not apply reads "n/a", and
// numbers never run into the text beside them.
func TestXLSXPrintsReadably(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	generateShare(t, dir, 20)
	roll := rollUp(t, []string{dir}, true)
	doc := printed.Print(t, tempDir(t), write(t, "xlsx", roll))
	printed.AssertHeaded(t, doc, "Practice roll-up", "Generated "+roll.GeneratedAt.UTC().Format(time.DateOnly))

	checks := doc.SheetPages(sheetChecks)
	if len(checks) == 0 {
		t.Fatal("no page is footed Checks")
	}
	for _, p := range checks {
		if !p.Has("Title", "Severity", "Fail", "Pass", "Failing", "share") {
			t.Errorf("Checks page %d does not print the counts beside the names:\n%s", p.Number, p.Text)
		}
	}
	printed.AssertNoOverprint(t, sheetChecks, checks)

	matrix := doc.SheetPages(sheetMatrix)
	if len(matrix) == 0 {
		t.Fatal("no page is footed Host checks")
	}
	printed.AssertNoOverprint(t, sheetMatrix, matrix)
	var names []string
	for _, c := range roll.Checks {
		names = append(names, c.ID)
	}
	for _, p := range matrix {
		if !p.Has(names...) {
			t.Errorf("Host checks page %d does not print every check's name whole:\n%s", p.Number, p.Text)
		}
		if p.Has("not_applicable") || strings.Contains(p.Text, "not_appl") {
			t.Errorf("Host checks page %d prints the raw status not_applicable", p.Number)
		}
	}
	if !slices.ContainsFunc(matrix, func(p printed.Page) bool { return p.Has("n/a") }) {
		t.Error(`no Host checks page says "n/a"`)
	}

	hosts := doc.SheetPages(sheetHosts)
	for _, h := range roll.Hosts {
		build := h.OS[strings.LastIndexByte(h.OS, ' ')+1:]
		if !slices.ContainsFunc(hosts, func(p printed.Page) bool { return p.Has(build) }) {
			t.Errorf("the Hosts sheet does not print %s's OS whole: %q", h.Name, h.OS)
		}
	}
	for _, sheet := range []string{sheetSummary, sheetHosts} {
		for _, p := range doc.SheetPages(sheet) {
			if a, b, ok := runTogether(p); ok {
				t.Errorf("%s page %d prints %q against %q: a number run into the text beside it", sheet, p.Number, a, b)
			}
		}
	}
	printed.AssertNoOverprint(t, sheetHosts, hosts)
}

// TestXLSXHostChecksSaysNotApplicable: a check that does not run on a
// host's platform reads "n/a", as one that found nothing to judge, and one
// missing from an older result reads "not run"; none is blank.
func TestXLSXHostChecksSaysNotApplicable(t *testing.T) {
	dir := tempDir(t)
	generateShare(t, dir, 20)
	roll := rollUp(t, []string{dir}, true)
	f := openBook(t, write(t, "xlsx", roll))
	rows, err := f.GetRows(sheetMatrix)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for i, h := range roll.Hosts {
		row := rows[i+1]
		for j, c := range roll.Checks {
			got := ""
			if j+1 < len(row) {
				got = row[j+1]
			}
			s, ok := h.Status(c)
			want := s.Label()
			switch {
			case !ok && !report.RunsOn(c.ID, h.Platform):
				want = "n/a"
			case !ok:
				want = "not run"
			}
			if got != want {
				t.Errorf("%s / %s = %q, want %q", h.Name, c.ID, got, want)
			}
			if !ok || s == standards.NotApplicable {
				seen[want]++
			}
		}
	}
	if seen["n/a"] == 0 || seen["not run"] == 0 {
		t.Fatalf("the share has %v: it no longer has both a platform's checks and an older result's", seen)
	}
}

func openBook(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestXLSXShareChartColours: the share chart's axis labels are the dark
// grey of the single-host chart (report's test measures its contrast),
// not the theme's light grey, and each outcome's bars have its colour.
func TestXLSXShareChartColours(t *testing.T) {
	dir := tempDir(t)
	generateShare(t, dir, 20)
	b := write(t, "xlsx", rollUp(t, []string{dir}, true))
	chart := string(printed.ZipPart(t, b, "xl/charts/chart1.xml"))
	for _, axis := range []string{"catAx", "valAx"} {
		start, end := strings.Index(chart, "<"+axis+">"), strings.Index(chart, "</"+axis+">")
		if start < 0 || end < start {
			t.Fatalf("chart has no %s", axis)
		}
		labels := chart[start:end]
		labels = labels[strings.LastIndex(labels, "<txPr>"):]
		if !strings.Contains(labels, `<a:srgbClr val="`+report.ChartText+`">`) || strings.Contains(labels, "lumOff") {
			t.Errorf("%s labels are not dark grey: %s", axis, labels)
		}
	}
	for _, o := range []standards.Outcome{standards.Met, standards.Approaching, standards.NotMet} {
		if !strings.Contains(chart, `<spPr><a:solidFill><a:srgbClr val="`+report.ChartColours[o]+`">`) {
			t.Errorf("no series of bars coloured %s for %s", report.ChartColours[o], o)
		}
	}
}
