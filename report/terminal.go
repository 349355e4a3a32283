package report

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// TerminalOptions shape the terminal view.
type TerminalOptions struct {
	// Color turns on ANSI colour; callers set it only for a terminal with
	// NO_COLOR unset.
	Color bool
	// Width wraps text; zero means 100.
	Width int
	// Summary leaves out the checks: the header, the counts and the
	// standards only.
	Summary bool
}

// TerminalStyles are the terminal view's styles, shared by every view of
// the tool that prints to a terminal.
type TerminalStyles struct {
	r                   *lipgloss.Renderer
	Title, Label, Faint lipgloss.Style
	status              map[standards.Status]lipgloss.Style
	outcome             map[standards.Outcome]lipgloss.Style
}

// Status is the style of a status.
func (st TerminalStyles) Status(s standards.Status) lipgloss.Style { return st.status[s] }

// Outcome is the style of an outcome.
func (st TerminalStyles) Outcome(o standards.Outcome) lipgloss.Style { return st.outcome[o] }

// NewTerminalStyles makes the styles for w, coloured or plain.
func NewTerminalStyles(w io.Writer, color bool) TerminalStyles {
	r := lipgloss.NewRenderer(w)
	if color {
		r.SetColorProfile(termenv.ANSI256)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	fg := func(c string) lipgloss.Style { return r.NewStyle().Foreground(lipgloss.Color(c)).Bold(true) }
	red, yellow, green, magenta, grey := fg("9"), fg("11"), fg("10"), fg("13"), fg("8")
	return TerminalStyles{
		r:     r,
		Title: r.NewStyle().Bold(true),
		Label: r.NewStyle().Bold(true),
		Faint: r.NewStyle().Faint(true),
		status: map[standards.Status]lipgloss.Style{
			standards.Fail: red, standards.Warn: yellow, standards.Pass: green,
			standards.Unknown: magenta, standards.NeedsAdmin: magenta, standards.NotApplicable: grey,
		},
		outcome: map[standards.Outcome]lipgloss.Style{
			standards.NotMet: red, standards.Approaching: yellow, standards.Met: green, standards.NotAssessed: grey,
		},
	}
}

// Terminal writes the report for a person at a terminal or reading a pipe:
// header, one line per standard, then every check with the failing ones
// first, and evidence and remediation under anything that did not pass.
func Terminal(w io.Writer, rep *Report, opts TerminalOptions) error {
	width := cmp.Or(opts.Width, 100)
	st := NewTerminalStyles(w, opts.Color)
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	// indented wraps plain text at word boundaries, then styles each line,
	// so that dates and paths are never split at a hyphen. Its text is cut
	// to ShownLimit and its control characters made visible.
	indented := func(indent int, style lipgloss.Style, text string) {
		pad := strings.Repeat(" ", indent)
		for _, line := range wordWrap(Shown(text), width-indent) {
			p("%s%s\n", pad, style.Render(line))
		}
	}
	plain := st.r.NewStyle()

	p("%s\n", st.Title.Render(fmt.Sprintf("dspt-audit %s: NHS data security standards scan", Sanitize(Truncate(rep.Tool.Version, 40)))))
	p("%s %s (%s, %s)\n", st.Label.Render("Host:    "), shownLine(rep.Host.Name), shownLine(rep.Host.Platform), shownLine(rep.Host.Arch))
	p("%s %s\n", st.Label.Render("OS:      "), shownLine(rep.Host.OS))
	p("%s %s (%s)\n", st.Label.Render("Scanned: "), rep.ScannedAt.Format("2006-01-02 15:04 MST"), shownLine(rep.Source))
	if !rep.JudgedAt.Equal(rep.ScannedAt) {
		p("%s %s\n", st.Label.Render("Judged:  "), rep.JudgedAt.Format("2006-01-02 15:04 MST"))
	}
	age := plain
	if rep.Stale() {
		age = st.Status(standards.Warn)
	}
	indentedAfter(p, st.Label.Render("Age:     ")+" ", age, wordWrap(rep.AgeText(), width-10))
	p("%s %s   score %s, coverage %s\n", st.Label.Render("Outcome: "), st.outcome[rep.Outcome].Render(Sanitize(string(rep.Outcome))), scoreText(rep.Score), percent(rep.Coverage))
	p("%s %s\n", st.Label.Render("Checks:  "), statusCounts(rep.Results, st))
	if since := rep.PreviousText(); since != "" {
		indentedAfter(p, st.Label.Render("Previous:")+" ", plain, wordWrap(since, width-10))
	}
	for _, kv := range rep.Provenance() {
		indentedAfter(p, st.Label.Render(fmt.Sprintf("%-9s", kv[0]+":"))+" ", plain, wordWrap(Shown(kv[1]), width-10))
	}
	p("\n")

	practicePage1(p, indented, st, rep)
	p("%s\n", st.Title.Render("NDG data security standards"))
	for _, s := range rep.Standards {
		if s.Outcome == standards.NotAssessed && len(s.Attestations) == 0 {
			continue
		}
		p("  %2d %-26s %7s  coverage %4s  %s\n", s.Number, shownLine(s.Title), scoreText(s.Score), percent(s.Coverage), st.outcome[s.Outcome].Render(Sanitize(string(s.Outcome))))
		attestationLines(indented, st, s)
	}
	if note := rep.NotAssessedNote(); note != "" {
		indented(2, st.Faint, note)
	}
	if opts.Summary {
		p("\n")
		for _, n := range rep.DataNotes {
			indented(0, st.status[standards.Warn], "Data note: "+n)
		}
		indented(0, st.Faint, "Summary only: run without --summary for every check, its evidence and its fix.")
		_, err := io.WriteString(w, b.String())
		return err
	}
	p("\n%s\n", st.Title.Render("Checks"))

	idWidth := 16
	for _, r := range rep.Results {
		idWidth = min(max(idWidth, len(r.ID)), 40)
	}
	for _, r := range rep.ByAttention() {
		status := st.status[r.Status].Render(fmt.Sprintf("%-14s", strings.ToUpper(r.Status.Label())))
		p("  %s %-8s %-*s %s\n", status, r.Severity, idWidth, Sanitize(Truncate(r.ID, 40)), Sanitize(Truncate(r.Title, width-27-idWidth)))
		indented(6, plain, r.Summary)
		if origin := rep.OriginText(r); origin != "" {
			indented(6, st.Faint, origin)
		}
		if r.AcceptedRisk != nil {
			indented(6, st.status[standards.Warn], r.AcceptedRisk.Text)
		}
		if r.Status == standards.Pass || r.Status == standards.NotApplicable {
			continue
		}
		absent := 0
		for _, e := range r.Evidence {
			if e.Error != nil && e.Error.Class == probe.NotFound {
				absent++
				continue
			}
			indented(6, st.Faint, fmt.Sprintf("seen: %s = %s", Shown(e.Query), evidenceValue(e)))
		}
		if absent > 0 {
			indented(6, st.Faint, fmt.Sprintf("seen: %d more %s not present (the JSON report lists each)", absent, plural(absent, "value", "values")))
		}
		indented(6, plain, "Fix: "+r.Remediation)
		label := "If fixed: "
		if !r.Status.Determined() {
			label = "If it could be read and passed: "
		}
		for _, c := range r.IfFixed {
			indented(6, plain, label+c.String())
		}
	}
	p("\n")
	indented(0, st.Faint, "Scoring: "+rep.ScoringRule)
	var data []string
	for _, d := range rep.Data {
		data = append(data, d.Describe())
	}
	indented(0, st.Faint, "Data: "+strings.Join(data, "; ")+".")
	for _, n := range rep.DataNotes {
		indented(0, st.status[standards.Warn], "Data note: "+n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// terminalCountOrder is the order of the counts line.
var terminalCountOrder = []standards.Status{standards.Pass, standards.Warn, standards.Fail, standards.Unknown, standards.NeedsAdmin, standards.NotApplicable}

// statusCounts is how many checks ended in each status, every status
// named, each count in its status's colour when it is not zero.
func statusCounts(results []CheckResult, st TerminalStyles) string {
	counts := map[standards.Status]int{}
	for _, r := range results {
		counts[r.Status]++
	}
	var parts []string
	for _, s := range terminalCountOrder {
		text := fmt.Sprintf("%d %s", counts[s], s.Label())
		if counts[s] > 0 {
			text = st.status[s].Render(text)
		}
		parts = append(parts, text)
	}
	return fmt.Sprintf("%s (%d in all)", strings.Join(parts, ", "), len(results))
}

func scoreText(p *int) string {
	if p == nil {
		return "n/a"
	}
	return fmt.Sprintf("%d/100", *p)
}

func percent(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) }

// evidenceValue is an observation's value on one line, cut to 160
// characters.
func evidenceValue(e Evidence) string {
	if e.Error == nil {
		return Clip(strings.Join(strings.Fields(e.Value), " "), 160)
	}
	return fmt.Sprintf("(%s) %s", e.Error.Class, Shown(e.Error.Detail))
}

// shownLine is a value from outside shown on one line of a terminal: cut
// to ShownLimit, its control characters (line breaks too) made visible.
func shownLine(s string) string { return Sanitize(Shown(s)) }

// Truncate shortens s to n characters, the last one an ellipsis.
func Truncate(s string, n int) string {
	if r := []rune(s); len(r) > n && n > 1 {
		return string(r[:n-1]) + "…"
	}
	return s
}

// wordWrap breaks text into lines of at most width cells, at spaces; a word
// longer than a line (a registry path) is broken after a backslash. Control
// characters in a word are made visible. It takes time linear in the text:
// a word is measured only as far as a line can hold.
func wordWrap(text string, width int) []string {
	width = max(width, 1)
	var lines []string
	var line strings.Builder
	lineWidth := 0
	room := func() int {
		if line.Len() == 0 {
			return width
		}
		return width - lineWidth - 1
	}
	add := func(part string) {
		if line.Len() > 0 {
			line.WriteByte(' ')
			lineWidth++
		}
		line.WriteString(part)
		lineWidth += ansi.StringWidth(part)
	}
	flush := func() {
		lines = append(lines, line.String())
		line.Reset()
		lineWidth = 0
	}
	for _, word := range strings.Fields(text) {
		word = Sanitize(word)
		for widerThan(word, width) {
			head := breakWord(word, room())
			if head == "" && line.Len() > 0 {
				flush()
				head = breakWord(word, width)
			}
			if head == "" {
				head = prefix(word, width)
			}
			add(head)
			flush()
			word = word[len(head):]
		}
		if ansi.StringWidth(word) > room() {
			flush()
		}
		add(word)
	}
	if line.Len() > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// window is the head of word that wrapping at n cells needs to look at:
// n+1 characters take at least n+1 cells, unless some are zero-width
// (combining marks), which can only make a line break early.
func window(word string, n int) string {
	count := 0
	for i := range word {
		if count > n {
			return word[:i]
		}
		count++
	}
	return word
}

// widerThan reports whether word takes more than n cells, or is too long
// to tell without measuring it all.
func widerThan(word string, n int) bool {
	w := window(word, n)
	return len(w) < len(word) || ansi.StringWidth(w) > n
}

// prefix is the longest head of word within n cells, at least one
// character long.
func prefix(word string, n int) string {
	cut := ansi.Truncate(window(word, n), n, "")
	cut = cut[:outsideEscape(word, len(cut))]
	if cut == "" {
		if l := escapeLen(word, 0); l > 0 {
			// An escape wider than a whole line is cut like any word.
			return word[:min(l, n)]
		}
		_, size := utf8.DecodeRuneInString(word)
		return word[:size]
	}
	return cut
}

// outsideEscape moves a cut of word at byte i back to the start of the
// escape Sanitize wrote (\x1b, \u202e) that it would split.
func outsideEscape(word string, i int) int {
	for j := max(i-5, 0); j < i; j++ {
		if l := escapeLen(word, j); l > 0 && j+l > i {
			return j
		}
	}
	return i
}

// escapeLen is the length of the escape Sanitize writes for a control
// character (\x1b or \u202e) at word[i:], or 0.
func escapeLen(word string, i int) int {
	hex := func(s string) bool {
		return strings.Trim(s, "0123456789abcdef") == ""
	}
	rest := word[i:]
	switch {
	case strings.HasPrefix(rest, `\x`) && len(rest) >= 4 && hex(rest[2:4]):
		return 4
	case strings.HasPrefix(rest, `\u`) && len(rest) >= 6 && hex(rest[2:6]):
		return 6
	}
	return 0
}

// breakWord returns the longest head of word that fits in n cells and ends
// after a backslash; failing that, with a full line, a plain cut.
func breakWord(word string, n int) string {
	if n <= 0 {
		return ""
	}
	cut := prefix(word, n)
	if ansi.StringWidth(cut) > n {
		return ""
	}
	for i := strings.LastIndex(cut, `\`); i > 0; i = strings.LastIndex(cut[:i], `\`) {
		if escapeLen(word, i) == 0 { // a path's separator, not an escape's start
			return cut[:i+1]
		}
	}
	if n < 20 {
		return ""
	}
	return cut
}

// indentedAfter writes lines after a label, the later ones indented under
// the first, each styled.
func indentedAfter(p func(string, ...any), label string, style lipgloss.Style, lines []string) {
	for i, line := range lines {
		if i > 0 {
			label = strings.Repeat(" ", lipgloss.Width(label))
		}
		p("%s%s\n", label, style.Render(line))
	}
}
