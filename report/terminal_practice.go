package report

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// practicePage1 writes what page 1 says of the practice file, the
// standards' evidence and the action plan.
func practicePage1(p func(string, ...any), indented func(int, lipgloss.Style, string), st TerminalStyles, rep *Report) {
	if u := rep.Practice; u != nil {
		if u.Used {
			indented(0, st.Label, fmt.Sprintf("Practice: %s (%s)", practiceName(u), u.File))
		} else {
			indented(0, st.Faint, fmt.Sprintf("Practice: file %s not used: %s", u.File, u.Problem))
		}
	}
	if rep.Evidenced != nil {
		indented(0, st.Label, "Evidence: "+rep.Evidenced.String()+".")
	}
	if len(rep.ActionPlan) > 0 {
		p("\n%s\n", st.Title.Render("Action plan (what changes the outcome most)"))
		for i, a := range rep.ActionPlan {
			indented(2, st.r.NewStyle(), fmt.Sprintf("%d. %s", i+1, a.Text))
		}
	}
	p("\n")
}

func practiceName(u *PracticeUse) string {
	name := u.Name
	if u.ODS != "" {
		name += " " + u.ODS
	}
	return strings.TrimSpace(name)
}

// attestationLines lists a standard's attested items under it, apart from
// its machine evidence, and the items still to answer.
func attestationLines(indented func(int, lipgloss.Style, string), st TerminalStyles, s StandardResult) {
	for _, a := range s.Attestations {
		style := st.Faint
		if a.Expired {
			style = st.Status(standards.Warn)
		}
		indented(6, style, fmt.Sprintf("%s %s", a.Item, a.Text))
	}
	if len(s.Outstanding) > 0 {
		indented(6, st.Faint, "not yet met in the practice file (unanswered, partly, not met or past review): "+strings.Join(s.Outstanding, ", "))
	}
}
