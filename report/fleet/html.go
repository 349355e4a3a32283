package fleet

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

//go:embed html.tmpl
var htmlSource string

var htmlPage = template.Must(report.HTMLBase().Funcs(template.FuncMap{
	"day":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") },
	"minus": func(a, b int) int { return a - b },
	"short": report.ShortOutcome,
	// sanitize shows control characters and bidirectional overrides as
	// escapes: a host name must not reorder what is read around it.
	"sanitize": report.Sanitize,
	// keepDates joins digits either side of a hyphen (dates, builds) with a
	// non-breaking hyphen, so a printed line never ends "2026-".
	"keepDates": func(s string) string { return datePart.ReplaceAllString(s, "$1\u2011$2") },
	"count": func(c *CheckTally, status string) int {
		var s standards.Status
		if s.UnmarshalText([]byte(status)) != nil {
			panic("fleet html: unknown status " + status)
		}
		return c.Count(s)
	},
}).New("fleet").Parse(htmlSource))

var datePart = regexp.MustCompile(`(\d)-(\d)`)

// HTML writes the roll-up as one self-contained, printable page.
func HTML(w io.Writer, r *Rollup) error {
	return htmlPage.Execute(w, htmlView{Rollup: r, Chart: shareChart(r), HostsFact: hostsFact(r), ResultsFact: resultsFact(r, "listed at the end"), TrustFact: trustFact(r),
		TrendView: newTrendView(r.Trend)})
}

type htmlView struct {
	*Rollup
	Chart                  report.Chart
	HostsFact, ResultsFact string
	TrustFact              string
	TrendView              *trendView
}

// CustomFacts are the lines on custom checks, when any ran.
func (v htmlView) CustomFacts() [][2]string { return v.customFacts() }

// maxUntrustedListed is how many results not counted page 1 of the
// terminal view and the workbook name, one per line; the html, json and csv
// name them all.
const maxUntrustedListed = 20

// htmlHost is a host as a table row shows it.
type htmlHost struct {
	*Host
	WorstText string
}

// Rows are the hosts as the page lists them.
func (v htmlView) Rows() []htmlHost {
	rows := make([]htmlHost, len(v.Hosts))
	for i, h := range v.Hosts {
		rows[i] = htmlHost{Host: h, WorstText: severityText(h.Worst)}
	}
	return rows
}

func shareChart(r *Rollup) report.Chart {
	var bars []report.Bar
	for _, s := range r.Standards {
		if s.Assessed == 0 {
			continue
		}
		bars = append(bars, report.Bar{
			Label: fmt.Sprintf("%d %s", s.Number, s.Title), Value: fmt.Sprintf("%.0f%%", 100*s.Share()),
			Fraction: s.Share(), Class: report.OutcomeClass(s.Outcome),
		})
	}
	return report.BarChart("Share of hosts meeting each NDG standard", bars)
}

// TerminalOptions shape the terminal view.
type TerminalOptions struct {
	Color bool
	// MaxHosts is how many hosts to list; the rest are counted.
	MaxHosts int
}

// Terminal writes a short roll-up for a person at a terminal: the practice
// outcome, one line per standard, the checks failing most, and the hosts to
// act on first.
func Terminal(w io.Writer, r *Rollup, opts TerminalOptions) error {
	st := report.NewTerminalStyles(w, opts.Color)
	ew := &errWriter{w: w}
	p := func(format string, args ...any) { fmt.Fprintf(ew, format, args...) }
	// shown is text from the results folder (host names, file names, check
	// IDs) as a terminal may show it: control characters visible, cut short.
	shown := func(s string, n int) string { return report.Sanitize(report.Truncate(s, n)) }
	p("%s\n", st.Title.Render("NHS data security standards: practice roll-up"))
	p("%s %s\n", st.Label.Render("Outcome: "), st.Outcome(r.Outcome).Render(shown(string(r.Outcome), 30)))
	p("%s %s\n", st.Label.Render("Hosts:   "), hostsFact(r))
	p("%s %s\n", st.Label.Render("Results: "), shown(resultsFact(r, "listed below"), report.ShownLimit))
	p("%s %s\n", st.Label.Render("Trust:   "), shown(trustFact(r), report.ShownLimit))
	for i, u := range r.Untrusted {
		if i == maxUntrustedListed {
			p("  ... and %d more not counted: every one is listed in the xlsx, html, json and csv output\n", len(r.Untrusted)-i)
			break
		}
		p("  %s %s\n", st.Status(standards.Fail).Render("not counted:"), shown(untrustedLine(u), report.ShownLimit))
	}
	for _, fact := range append(r.practiceFacts(), r.customFacts()...) {
		p("%-16s %s\n", st.Label.Render(fact[0]), shown(fact[1], report.ShownLimit))
	}
	p("\n")
	p("%s\n", st.Label.Render("Standard                                        Hosts  Meeting  Practice outcome"))
	for _, s := range r.Standards {
		if s.Assessed == 0 && s.Outcome == standards.NotAssessed {
			continue
		}
		title := shown(fmt.Sprintf("%2d %s", s.Number, s.Title), 46)
		hosts, share := "-", "-"
		if s.Assessed > 0 {
			hosts, share = fmt.Sprint(s.Assessed), fmt.Sprintf("%.0f%%", 100*s.Share())
		}
		p("%-46s %6s  %7s  %s\n", title, hosts, share, st.Outcome(s.Outcome).Render(shown(string(s.Outcome), 30)))
		if text := hostsNotMeeting(s); text != "" {
			p("   %s\n", st.Faint.Render("not met on: "+shown(text, 90)))
		}
		if s.AttestedText != "" {
			p("   %s\n", st.Faint.Render(shown(s.AttestedText, 120)))
		}
	}
	p("\n%s\n", st.Label.Render("Checks failing most"))
	for _, c := range r.Checks {
		if c.Count(standards.Fail) == 0 {
			break
		}
		p("  %-26s %-8s %s on %d of %d hosts it applies to (%.0f%%)\n", shown(c.ID, 40), c.Severity, st.Status(standards.Fail).Render("fail"), c.Count(standards.Fail), c.Applicable(), 100*c.FailingShare())
	}
	limit := opts.MaxHosts
	if limit <= 0 {
		limit = 15
	}
	p("\n%s\n", st.Label.Render(fmt.Sprintf("Hosts to act on first (%d of %d)", min(limit, len(r.Hosts)), len(r.Hosts))))
	for _, h := range r.Hosts[:min(limit, len(r.Hosts))] {
		stale := ""
		if h.Stale {
			stale = st.Status(standards.Warn).Render(fmt.Sprintf(" stale: %d days", h.AgeDays(r.GeneratedAt)))
		}
		p("  %-18s %-21s %2d failing  %s%s\n", shown(h.Name, 18), st.Outcome(h.Outcome).Render(shown(string(h.Outcome), 30)), h.Failing, h.ScannedAt.UTC().Format("2006-01-02"), stale)
		if h.SincePrevious != "" {
			p("    %s\n", st.Status(standards.Warn).Render("worse since the previous scan: "+shown(h.SincePrevious, 100)))
		}
	}
	if len(r.Skipped) > 0 {
		p("\n%s\n", st.Label.Render(fmt.Sprintf("Files skipped (%d)", len(r.Skipped))))
		for _, s := range r.Skipped[:min(5, len(r.Skipped))] {
			p("  %s: %s\n", shown(s.Path, 200), shown(s.Reason, 200))
		}
		if len(r.Skipped) > 5 {
			p("  ... and %d more: every one is listed in the xlsx, html, json output\n", len(r.Skipped)-5)
		}
	}
	p("\n%s\n", st.Faint.Render(shown(r.RuleText(), report.ShownLimit)))
	return ew.err
}
