package diff

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

//go:embed html.tmpl
var htmlSource string

var htmlPage = template.Must(report.HTMLBase().New("diff").Funcs(template.FuncMap{
	"shown":   func(s string) string { return report.Sanitize(report.Shown(s)) },
	"stamp":   func(t time.Time) string { return stamp(t) },
	"kind":    changeLabel,
	"class":   changeClass,
	"status":  func(v *Verdict) string { return verdictText(v) },
	"sclass":  func(v *Verdict) string { return verdictClass(v) },
	"outcome": outcomeText,
	"oclass":  report.OutcomeClass,
	"score":   scoreText,
}).Parse(htmlSource))

// HTML writes the diff as one self-contained page that prints on A4.
func HTML(w io.Writer, d *Diff) error {
	header := fmt.Sprintf("%s %s → %s %s", report.Truncate(d.Old.Host.Name, 40), stamp(d.Old.ScannedAt), report.Truncate(d.New.Host.Name, 40), stamp(d.New.ScannedAt))
	return htmlPage.Execute(w, htmlView{Diff: d, Unchanged: unchangedText(d), PageHeader: cssString(report.Sanitize(header))})
}

type htmlView struct {
	*Diff
	Unchanged  string
	PageHeader template.CSS // what every printed page names at its top
}

// Worse, Better and Others are the checks of each section of the page.
func (v htmlView) Worse() []CheckChange  { return v.only(standards.StatusChange.Worse) }
func (v htmlView) Better() []CheckChange { return v.only(standards.StatusChange.Better) }
func (v htmlView) Others() []CheckChange {
	return v.only(func(c standards.StatusChange) bool {
		return c == standards.Other || c == standards.NowKnown || c == standards.Added || c == standards.Removed
	})
}

func (v htmlView) only(keep func(standards.StatusChange) bool) []CheckChange {
	var out []CheckChange
	for _, c := range v.Checks {
		if keep(c.Change) {
			out = append(out, c)
		}
	}
	return out
}

func changeClass(c standards.StatusChange) string {
	switch {
	case c.Worse():
		return "fail"
	case c.Better():
		return "pass"
	}
	return "na"
}

func verdictText(v *Verdict) string {
	if v == nil {
		return "absent"
	}
	return v.Status.Label()
}

func verdictClass(v *Verdict) string {
	if v == nil {
		return "na"
	}
	return v.Status.String()
}

func outcomeText(o standards.Outcome) string {
	if o == "" {
		return "(none)"
	}
	return string(o)
}

// cssString is s as a quoted CSS string: every character but a letter, a
// digit or a space written as a CSS escape, so that no text can end the
// string or the rule.
func cssString(s string) template.CSS {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r == ' ' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, "\\%x ", r)
	}
	b.WriteByte('"')
	return template.CSS(b.String())
}
