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

// htmlPage is parsed once; html/template escapes every value by context, so
// text a machine controls can never become markup or script.
var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"score":   scoreText,
	"percent": percent,
	"upper":   strings.ToUpper,
	"date":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"value":   evidenceValue,
	"status":  func(s standards.Status) string { return s.String() },
	"outcome": outcomeClass,
}).Parse(htmlSource))

// HTML writes the report as one self-contained page: no scripts, fonts,
// stylesheets or images from anywhere else, so it can be attached to an
// email, opened offline and printed.
func HTML(w io.Writer, rep *Report) error {
	var assessed []StandardResult
	for _, s := range rep.Standards {
		if s.Outcome != standards.NotAssessed {
			assessed = append(assessed, s)
		}
	}
	return htmlPage.Execute(w, htmlView{
		Report:      rep,
		Assessed:    assessed,
		Results:     rep.ByAttention(),
		Chart:       scoreChartSVG(assessed),
		NotAssessed: rep.NotAssessedNote(),
		DSPT:        dsptRows(rep),
	})
}

type htmlView struct {
	*Report
	Assessed    []StandardResult
	Results     []CheckResult
	Chart       svgChart
	NotAssessed string
	DSPT        []dsptRow
}

type dsptRow struct {
	Item     string
	Results  []CheckResult
	Worst    standards.Status
	Sentence string
}

func dsptRows(rep *Report) []dsptRow {
	var rows []dsptRow
	for _, it := range dsptItems(rep) {
		rows = append(rows, dsptRow{Item: it.item, Results: it.results, Worst: worstStatus(it.results), Sentence: evidenceSentence(rep, it.results)})
	}
	return rows
}

func outcomeClass(o standards.Outcome) string {
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

// svgChart is a horizontal bar chart of the per-standard scores, drawn as
// inline SVG so the page needs nothing from elsewhere.
type svgChart struct {
	Width, Height int
	Bars          []svgBar
}

type svgBar struct {
	Y, Width               int
	Label, Value           string
	Class                  string
	LabelY, ValueX, ValueY int
}

// Each standard is a label with its bar beneath, so the chart stays
// readable when a phone scales it down.
const (
	chartBarSpace = 300
	chartRow      = 42
)

func scoreChartSVG(scores []StandardResult) svgChart {
	c := svgChart{Width: chartBarSpace + 70}
	for i, s := range scores {
		y := i * chartRow
		bar := svgBar{
			Y: y + 20, LabelY: y + 14, Label: fmt.Sprintf("%d %s", s.Number, s.Title),
			Value: scoreText(s.Score), Class: outcomeClass(s.Outcome),
		}
		if s.Score != nil {
			bar.Width = *s.Score * chartBarSpace / 100
		}
		bar.ValueX, bar.ValueY = bar.Width+6, bar.Y+13
		c.Bars = append(c.Bars, bar)
	}
	c.Height = len(c.Bars)*chartRow + 4
	return c
}
