package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/report/internal/browser"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// squeeze drops all white space, so that text a printed table cell wrapped
// over several lines can still be found.
func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }

// TestPrintedHTML prints the Windows 10 1607 report in Chromium and reads
// the PDF back: the evidence is on paper, page 1 holds the outcome with its
// caveat, and every page says which machine, which scan and which page.
func TestPrintedHTML(t *testing.T) {
	t.Parallel()
	rep := buildProfile(t, "win10-1607-wannacry-era")
	pages := browser.PrintedPages(t, render(t, "html", rep))
	head := rep.Host.Name + " · scanned " + rep.ScannedAt.UTC().Format("2006-01-02 15:04")
	// The evidence as one text, without the page headers and footers that
	// interrupt a row broken over two pages.
	var body []string
	for i, page := range pages {
		page = strings.Replace(page, head, "", 1)
		body = append(body, strings.Replace(page, fmt.Sprintf("Page %d of %d", i+1, len(pages)), "", 1))
	}
	all := squeeze(strings.Join(body, ""))

	t.Run("evidence", func(t *testing.T) {
		registry := 0
		for _, r := range rep.Results {
			for _, e := range r.Evidence {
				if e.Source != probe.Registry {
					continue
				}
				registry++
				if !strings.Contains(all, squeeze(Shown(e.Query))) {
					t.Errorf("%s: the registry path %s is not on paper", r.ID, e.Query)
				}
			}
		}
		if registry == 0 {
			t.Fatal("the 1607 report has no registry evidence to look for")
		}
	})

	t.Run("page 1", func(t *testing.T) {
		first := squeeze(pages[0])
		unassessed := 0
		for _, s := range rep.Standards {
			if s.Outcome == standards.NotAssessed {
				unassessed++
			}
		}
		caveat := fmt.Sprintf("%dof10standardsnotassessed", unassessed)
		counts := squeeze("Checks: " + countsText(rep.Counts))
		for _, want := range []string{"Overalloutcome:" + squeeze(string(rep.Outcome)), caveat, counts, "Resultage:"} {
			if !strings.Contains(first, want) {
				t.Errorf("page 1 lacks %q:\n%s", want, pages[0])
			}
		}
		rule := squeeze(rep.ScoringRule[:60])
		if strings.Contains(first, rule) {
			t.Error("the scoring rule is still on page 1")
		}
		if !strings.Contains(squeeze(pages[len(pages)-1]), rule) {
			t.Errorf("the scoring rule is not in the appendix on the last page:\n%s", pages[len(pages)-1])
		}
	})

	t.Run("every page", func(t *testing.T) {
		for i, page := range pages {
			if !strings.Contains(page, head) {
				t.Errorf("page %d does not say %q", i+1, head)
			}
			if want := fmt.Sprintf("Page %d of %d", i+1, len(pages)); !strings.Contains(page, want) {
				t.Errorf("page %d does not say %q", i+1, want)
			}
		}
	})
}

// TestHTMLShowsEveryStandard: the table and the chart have a row for each of
// the ten standards, the ones the tool cannot assess shown as such, and the
// page counts the verdicts.
func TestHTMLShowsEveryStandard(t *testing.T) {
	rep := buildProfile(t, "win10-1607-wannacry-era")
	page := string(render(t, "html", rep))
	table := page[strings.Index(page, `<table class="standards">`):]
	table = table[:strings.Index(table, "</table>")]
	chart := page[strings.Index(page, `<svg class="chart"`):]
	chart = chart[:strings.Index(chart, "</svg>")]
	notAssessed := 0
	for _, s := range rep.Standards {
		label := fmt.Sprintf("%d %s", s.Number, s.Title)
		if !strings.Contains(table, "<td>"+label+"</td>") {
			t.Errorf("the table has no row for standard %s", label)
		}
		if !strings.Contains(chart, ">"+label+"</text>") {
			t.Errorf("the chart has no bar for standard %s", label)
		}
		if s.Outcome == standards.NotAssessed {
			notAssessed++
		}
	}
	if len(rep.Standards) != 10 || notAssessed == 0 {
		t.Fatalf("the 1607 report has %d standards, %d not assessed; want 10 and some not assessed", len(rep.Standards), notAssessed)
	}
	if n := strings.Count(table, `<tr class="unassessed">`); n != notAssessed {
		t.Errorf("%d rows shown as not assessed, want %d", n, notAssessed)
	}
	if n := strings.Count(chart, ">not assessed</text>"); n != notAssessed {
		t.Errorf("%d bars say not assessed, want %d", n, notAssessed)
	}
	want := "Checks: " + countsText(rep.Counts)
	if !strings.Contains(page, want) {
		t.Errorf("page lacks the counts %q", want)
	}
}

// TestResultAge: a result 68 days older than its report is flagged stale in
// every view's first lines; one a day old is not.
func TestResultAge(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after time.Duration
		want  *regexp.Regexp
	}{
		{"fresh", 30 * time.Hour, regexp.MustCompile(`1 day old \(scanned 2026-11-23\)`)},
		{"stale", 68*24*time.Hour + time.Hour, regexp.MustCompile(`STALE: 68 days old \(scanned 2026-11-23\), more than the 7 days`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := buildProfile(t, "win10-1607-wannacry-era")
			rep.GeneratedAt = rep.ScannedAt.Add(tc.after)
			for _, format := range []string{"html", "terminal", "xlsx-summary"} {
				var text string
				switch format {
				case "xlsx-summary":
					text = strings.Join(flatten(summaryRows(t, rep)), "\n")
				case "terminal":
					var b strings.Builder
					if err := Terminal(&b, rep, TerminalOptions{}); err != nil {
						t.Fatal(err)
					}
					text = b.String()
				default:
					text = string(render(t, format, rep))
				}
				head := text[:min(len(text), 4000)]
				if format == "html" {
					head = text[strings.Index(text, "<body>"):][:3000]
				}
				stale := strings.Contains(head, "STALE")
				if !tc.want.MatchString(head) || stale != (tc.name == "stale") {
					t.Errorf("%s: the first lines do not match %q:\n%s", format, tc.want, head)
				}
			}
		})
	}
}

func summaryRows(t *testing.T, rep *Report) [][]string {
	t.Helper()
	f := openWorkbook(t, render(t, "xlsx", rep))
	rows, err := f.GetRows(sheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
