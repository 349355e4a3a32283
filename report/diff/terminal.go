package diff

import (
	"cmp"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// TerminalOptions shape the terminal view.
type TerminalOptions struct {
	// Color turns on ANSI colour; callers set it only for a terminal with
	// NO_COLOR unset.
	Color bool
	// Width wraps text; zero means 100.
	Width int
}

// Terminal writes the diff for a person at a terminal or reading a pipe:
// the two results and the notes, then regressions and new failures, fixed
// and improved checks, other moves, the changed evidence, the standards,
// and how many checks did not change.
func Terminal(w io.Writer, d *Diff, opts TerminalOptions) error {
	width := cmp.Or(opts.Width, 100)
	st := report.NewTerminalStyles(w, opts.Color)
	plain := lipgloss.NewStyle()
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	indented := func(indent int, style lipgloss.Style, text string) {
		pad := strings.Repeat(" ", indent)
		for _, line := range report.WordWrap(report.Shown(text), width-indent) {
			p("%s%s\n", pad, style.Render(line))
		}
	}
	outcome := func(o standards.Outcome) string {
		if o == "" {
			return "(none)"
		}
		return st.Outcome(o).Render(report.Sanitize(string(o)))
	}

	p("%s\n", st.Title.Render("dspt-audit diff: what changed between two results"))
	for _, s := range []struct {
		label string
		side  Side
	}{{"OLD:", d.Old}, {"NEW:", d.New}} {
		for i, line := range report.WordWrap(sideLine(s.side), width-9) {
			label := st.Label.Render(fmt.Sprintf("%-8s", s.label))
			if i > 0 {
				label = strings.Repeat(" ", 8)
			}
			p("%s %s\n", label, line)
		}
	}
	p("%s %s → %s   score %s → %s\n", st.Label.Render("Outcome: "), outcome(d.Old.Outcome), outcome(d.New.Outcome), scoreText(d.Old.Score), scoreText(d.New.Score))
	for _, n := range d.Notes {
		indented(0, st.Status(standards.Warn), "Note: "+n)
	}

	idWidth := 16
	for _, c := range d.Checks {
		idWidth = min(max(idWidth, len(c.ID)), 40)
	}
	section := func(title string, keep func(standards.StatusChange) bool) {
		var list []CheckChange
		for _, c := range d.Checks {
			if keep(c.Change) {
				list = append(list, c)
			}
		}
		if len(list) == 0 {
			return
		}
		p("\n%s\n", st.Title.Render(fmt.Sprintf("%s (%d)", title, len(list))))
		for _, c := range list {
			head := fmt.Sprintf("  %s %-*s %s", changeStyle(st, c.Change).Render(fmt.Sprintf("%-12s", changeLabel(c.Change))), idWidth,
				report.Sanitize(report.Truncate(c.ID, 40)), movement(st, c))
			// The title takes the rest of the line, on a line of its own
			// when too little is left.
			title := report.Sanitize(report.Truncate(c.Title, 60))
			if room := width - lipgloss.Width(head) - 2; room >= 24 {
				p("%s  %s\n", head, truncateWords(title, room))
			} else {
				p("%s\n", head)
				indented(6, st.Faint, title)
			}
			if c.After != nil && c.After.Summary != "" {
				indented(6, plain, c.After.Summary)
			} else if c.Before != nil && c.Before.Summary != "" {
				indented(6, st.Faint, "was: "+c.Before.Summary)
			}
		}
	}
	section("Regressed and newly failing", standards.StatusChange.Worse)
	section("Fixed and improved", standards.StatusChange.Better)
	section("Other changes", func(c standards.StatusChange) bool {
		return c == standards.Other || c == standards.NowKnown || c == standards.Added || c == standards.Removed
	})

	if len(d.Evidence) > 0 {
		p("\n%s\n", st.Title.Render(fmt.Sprintf("Evidence that changed (%d)", len(d.Evidence))))
		for _, e := range d.Evidence {
			indented(2, st.Label, fmt.Sprintf("%s %s (read by %s)", e.Source, e.Query, strings.Join(e.Checks, ", ")))
			for _, line := range e.Lines() {
				indented(6, plain, line)
			}
		}
	}

	p("\n%s\n", st.Title.Render("NDG data security standards"))
	for _, s := range d.Standards {
		mark := " "
		if s.Changed() {
			mark = "*"
		}
		row := fmt.Sprintf("%s %2d %-26s %7s → %-7s", mark, s.Number, report.Sanitize(report.Truncate(s.Title, 26)),
			scoreText(s.ScoreBefore), scoreText(s.ScoreAfter))
		outcomes := outcome(s.OutcomeAfter) // the same before and after: said once
		if s.OutcomeBefore != s.OutcomeAfter {
			outcomes = outcome(s.OutcomeBefore) + " → " + outcome(s.OutcomeAfter)
		}
		if lipgloss.Width(row)+2+lipgloss.Width(outcomes) <= width {
			p("%s  %s\n", row, outcomes)
		} else {
			p("%s\n%s%s\n", row, strings.Repeat(" ", 5), outcomes)
		}
	}
	p("\n")
	indented(0, plain, unchangedText(d))
	_, err := io.WriteString(w, b.String())
	return err
}

// Lines are the change as a person reads it: before → after, or the items
// added (+) and removed (-) and the fields changed (~).
func (e EvidenceChange) Lines() []string {
	var lines []string
	if e.Before != "" || e.After != "" {
		lines = append(lines, fmt.Sprintf("%s → %s", cmp.Or(jsonEscapesUndone(e.Before), "(empty)"), cmp.Or(jsonEscapesUndone(e.After), "(empty)")))
	}
	for _, f := range e.Fields {
		lines = append(lines, "~ "+f.Text())
	}
	for _, a := range e.Added {
		lines = append(lines, "+ "+a.line())
	}
	for _, r := range e.Removed {
		lines = append(lines, "- "+r.line())
	}
	if n := e.AddedMore + e.RemovedMore + e.FieldsMore; n > 0 {
		lines = append(lines, fmt.Sprintf("… and %d more (%d added, %d removed, %d fields)", n, e.AddedMore, e.RemovedMore, e.FieldsMore))
	}
	return lines
}

// line is the item with the list it is in: "members: GP\locum (S-1-…)".
func (i Item) line() string {
	if i.Field == "" {
		return i.Text
	}
	return i.Field + ": " + i.Text
}

// truncateWords shortens s to n characters at a space where it can, the
// last one an ellipsis.
func truncateWords(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = strings.TrimRight(cut[:i], " ,;:")
	}
	return cut + "…"
}

func sideLine(s Side) string {
	line := fmt.Sprintf("%s", report.Sanitize(report.Truncate(s.Host.Name, 60)))
	if s.Host.ID != "" {
		line += fmt.Sprintf(" (ID %s)", report.Sanitize(report.Truncate(s.Host.ID, 60)))
	}
	return line + fmt.Sprintf(", scanned %s, dspt-audit %s", stamp(s.ScannedAt), report.Sanitize(report.Truncate(s.ToolVersion, 40)))
}

// movement is a check's status before and after.
func movement(st report.TerminalStyles, c CheckChange) string {
	status := func(v *Verdict) string {
		if v == nil {
			return "(absent)"
		}
		return st.Status(v.Status).Render(v.Status.Label())
	}
	return fmt.Sprintf("%s → %s", status(c.Before), status(c.After))
}

func changeStyle(st report.TerminalStyles, c standards.StatusChange) lipgloss.Style {
	switch {
	case c.Worse():
		return st.Status(standards.Fail)
	case c.Better():
		return st.Status(standards.Pass)
	}
	return st.Label
}

// changeLabel is the kind of change as a report shows it.
func changeLabel(c standards.StatusChange) string {
	return strings.ToUpper(strings.ReplaceAll(c.String(), "_", " "))
}

func unchangedText(d *Diff) string {
	n := d.Counts[standards.Unchanged.String()]
	return fmt.Sprintf("%d %s unchanged.", n, plural(n, "check", "checks"))
}

func scoreText(p *int) string {
	if p == nil {
		return "n/a"
	}
	return fmt.Sprintf("%d/100", *p)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
