package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/standards"
)

//go:embed html.tmpl
var htmlSource string

// htmlBaseSource defines the "style" and "chart" templates every page of
// the tool shares.
//
//go:embed html_base.tmpl
var htmlBaseSource string

// htmlFuncs are the template functions every page may use.
var htmlFuncs = template.FuncMap{
	"score":   scoreText,
	"percent": percent,
	"upper":   strings.ToUpper,
	"date":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"value":   evidenceValue,
	"shown":   Shown,
	"status":  func(s standards.Status) string { return s.String() },
	"label":   func(s standards.Status) string { return s.Label() },
	"plural":  plural,
	"outcome": OutcomeClass,
}

// HTMLBase returns a fresh template set holding the shared stylesheet
// ("style") and bar chart ("chart", given a Chart), for another page of the
// tool to add itself to. html/template escapes every value by context, so
// text a machine controls can never become markup or script.
func HTMLBase() *template.Template {
	return template.Must(template.New("base").Funcs(htmlFuncs).Parse(htmlBaseSource))
}

// htmlPage is parsed once.
var htmlPage = func() *template.Template {
	page := template.Must(HTMLBase().New("report").Parse(htmlSource))
	template.Must(page.New("practice").Parse(htmlPracticeSource))
	return page
}()

// htmlPracticeSource defines the page's practice-file blocks: the
// evidence counts and action plan, the attested items, the DSPT items.
//
//go:embed html_practice.tmpl
var htmlPracticeSource string

// HTML writes the report as one self-contained page: no scripts, fonts,
// stylesheets or images from anywhere else, so it can be attached to an
// email, opened offline and printed.
func HTML(w io.Writer, rep *Report) error {
	rep = forViews(rep)
	notAssessed := 0
	for _, s := range rep.Standards {
		if s.Outcome == standards.NotAssessed {
			notAssessed++
		}
	}
	return htmlPage.Execute(w, htmlView{
		Report:           rep,
		Results:          rep.ByAttention(),
		Chart:            scoreChartSVG(rep.Standards),
		NotAssessed:      rep.NotAssessedNote(),
		NotAssessedCount: notAssessed,
		CountsText:       countsText(rep.Counts),
		DSPT:             DSPTRows(rep),
	})
}

type htmlView struct {
	*Report
	Results          []CheckResult
	Chart            Chart
	NotAssessed      string
	NotAssessedCount int
	CountsText       string
	DSPT             []DSPTRow
}

// OutcomeClass is the CSS class the shared stylesheet colours an outcome by.
func OutcomeClass(o standards.Outcome) string {
	switch o {
	case standards.Met:
		return "met"
	case standards.Approaching:
		return "approaching"
	case standards.NotMet:
		return "notmet"
	}
	return "na"
}

// Chart is a horizontal bar chart drawn as inline SVG, so a page needs
// nothing from elsewhere.
type Chart struct {
	Label         string // what the chart shows, for screen readers
	Width, Height int
	Bars          []svgBar
}

type svgBar struct {
	Y, Width               int
	Label, Value           string
	Class                  string
	LabelY, ValueX, ValueY int
}

// Bar is one bar: its label, value text, length (0 to 1; below 0 none) and
// CSS class.
type Bar struct {
	Label, Value string
	Fraction     float64
	Class        string
}

// Each bar is a label with its bar beneath, so the chart stays readable
// when a phone scales it down.
const (
	chartBarSpace = 300
	chartRow      = 42
)

// BarChart lays out the bars.
func BarChart(label string, bars []Bar) Chart {
	c := Chart{Label: label, Width: chartBarSpace + 70}
	for i, b := range bars {
		y := i * chartRow
		bar := svgBar{Y: y + 20, LabelY: y + 14, Label: b.Label, Value: b.Value, Class: b.Class}
		if b.Fraction > 0 {
			bar.Width = int(b.Fraction * chartBarSpace)
		}
		bar.ValueX, bar.ValueY = bar.Width+6, bar.Y+13
		c.Bars = append(c.Bars, bar)
	}
	c.Height = len(c.Bars)*chartRow + 4
	return c
}

// scoreChartSVG draws every standard: one not assessed has no bar, and
// says so, so it cannot be taken for a score of 0.
func scoreChartSVG(scores []StandardResult) Chart {
	var bars []Bar
	for _, s := range scores {
		b := Bar{Label: fmt.Sprintf("%d %s", s.Number, s.Title), Value: scoreText(s.Score), Fraction: -1, Class: OutcomeClass(s.Outcome)}
		switch {
		case s.Outcome == standards.NotAssessed:
			b.Value = "not assessed"
		case s.Score != nil:
			b.Fraction = float64(*s.Score) / 100
		}
		bars = append(bars, b)
	}
	return BarChart("Score per NDG data security standard", bars)
}
