package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// ActionPlanSize is how many actions page 1 lists.
const ActionPlanSize = 5

// Action is one thing to do and what doing it would change.
type Action struct {
	// Kind is "fix" (a check that fails or warns), "find out" (a check the
	// tool could not determine) or "answer" (an item of the practice file).
	Kind  string `json:"kind"`
	Check string `json:"check,omitempty"`
	Item  string `json:"item,omitempty"`
	Hosts int    `json:"hosts,omitempty"`
	// Warning counts the Hosts where a fixed check only warns; the text
	// then says how many fail and how many warn.
	Warning  int                `json:"warning_hosts,omitempty"`
	Severity standards.Severity `json:"severity,omitempty"`
	// DSPTItems are the toolkit items the action serves.
	DSPTItems []string `json:"dspt_items,omitempty"`
	// Owner is the role the practice file makes answerable for the item.
	Owner   string          `json:"owner,omitempty"`
	Changes []OutcomeChange `json:"changes"`
	// Steps is how many outcome steps (Not Met -> Approaching -> Met) the
	// action gains over all standards; Points the score points it gains.
	Steps  int `json:"steps"`
	Points int `json:"points"`
	// More counts the other items of the same standard whose answer would
	// do the same; they are folded into this action.
	More int `json:"more_items,omitempty"`
	// Answered is what the practice file says of an "answer" action's item
	// now: "" (nothing), "expired" (an answer past its review date),
	// "partly" or "not met".
	Answered string `json:"answered,omitempty"`
	Text     string `json:"text"`
}

// OutcomeChange is one standard's outcome before and after an action.
type OutcomeChange struct {
	Standard int               `json:"standard"`
	From     standards.Outcome `json:"from"`
	To       standards.Outcome `json:"to"`
}

// OutcomeRank orders outcomes for the action plan: nothing evidenced is
// as far from Met as Not Met.
func OutcomeRank(o standards.Outcome) int {
	switch o {
	case standards.Met:
		return 2
	case standards.Approaching:
		return 1
	}
	return 0
}

// ShortOutcome is an outcome in the words of an action: "Met".
func ShortOutcome(o standards.Outcome) string {
	switch o {
	case standards.Met:
		return "Met"
	case standards.Approaching:
		return "Approaching"
	case standards.NotMet:
		return "Not Met"
	}
	return "Not assessed"
}

// plan tries each action on the report's verdicts and attestations and
// keeps the ActionPlanSize that gain most: outcome steps, then score
// points, then severity.
func (j judgement) plan(results []CheckResult, findings []standards.Finding, atts []standards.Attestation) []Action {
	before, beforeOutcomes, sas := j.score(findings, atts)
	whatIf := standards.NewWhatIf(j.ndg, findings)
	var actions []Action
	for i, r := range results {
		if r.Status == standards.Pass || r.Status == standards.NotApplicable {
			continue
		}
		after := standards.Scorecard{Standards: whatIf.IfPassed(i)}
		afterOutcomes := j.combine(after, sas)
		a := Action{Kind: "fix", Check: r.ID, Severity: r.Severity, DSPTItems: itemsOf(r.Mappings, j.items)}
		if !r.Status.Determined() {
			a.Kind = "find out"
		}
		a.Owner = ownerOf(a.DSPTItems, r.Mappings.NDG, atts)
		actions = j.keep(actions, a, before, after, beforeOutcomes, afterOutcomes)
	}
	for k, sa := range sas {
		for _, id := range sa.Outstanding {
			answered := append(slices.Clone(atts), standards.Attestation{Item: id, Standard: before.Standards[k].Number, Answer: standards.AnswerMet})
			after, afterOutcomes, _ := j.score(findings, answered)
			a := Action{Kind: "answer", Item: id, DSPTItems: []string{id}, Owner: ownerOf([]string{id}, []int{before.Standards[k].Number}, atts), Answered: answeredAs(id, atts, j.now)}
			if strings.HasPrefix(id, "NDG ") {
				a.DSPTItems = nil
			}
			actions = j.keep(actions, a, before, after, beforeOutcomes, afterOutcomes)
		}
	}
	return RankActions(actions, j.ndg)
}

// answerVerb says what the practice must do with an item, by what its file
// says of it now.
var answerVerb = map[string]string{
	"":        "answer",
	"expired": "review again",
	"partly":  "complete",
	"not met": "meet",
}

// answeredAs is what the practice file says of an item now: nothing, an
// answer past its review, or an answer that does not meet it.
func answeredAs(id string, atts []standards.Attestation, now time.Time) string {
	for _, a := range atts {
		switch {
		case a.Item != id || !a.Answered():
		case a.Expired(now):
			return "expired"
		case a.Answer != standards.AnswerMet:
			return string(a.Answer)
		}
	}
	return ""
}

// RankActions orders the actions, best first, keeps ActionPlanSize of
// them and says each in words.
func RankActions(actions []Action, ndg []standards.Standard) []Action {
	slices.SortStableFunc(actions, compareActions)
	actions = foldAnswers(actions)
	if len(actions) > ActionPlanSize {
		actions = actions[:ActionPlanSize]
	}
	for i := range actions {
		actions[i].Text = actions[i].describe(ndg)
	}
	return actions
}

// foldAnswers keeps, of the answers that would change the same standard
// alike, the first, counting the others in it.
func foldAnswers(actions []Action) []Action {
	var out []Action
	for _, a := range actions {
		i := slices.IndexFunc(out, func(b Action) bool {
			return a.Kind == "answer" && b.Kind == "answer" && a.Steps == b.Steps && a.Points == b.Points && slices.Equal(a.Changes, b.Changes)
		})
		if i >= 0 {
			out[i].More++
			continue
		}
		out = append(out, a)
	}
	return out
}

// keep adds a to actions when it changes an outcome or a score.
func (j judgement) keep(actions []Action, a Action, before, after standards.Scorecard, from, to []standards.Outcome) []Action {
	for k := range from {
		if from[k] != to[k] {
			a.Changes = append(a.Changes, OutcomeChange{Standard: before.Standards[k].Number, From: from[k], To: to[k]})
			a.Steps += OutcomeRank(to[k]) - OutcomeRank(from[k])
		}
		a.Points += scorePoints(after.Standards[k].Score) - scorePoints(before.Standards[k].Score)
	}
	if a.Steps <= 0 && a.Points <= 0 {
		return actions
	}
	return append(actions, a)
}

func scorePoints(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// compareActions ranks by outcome steps, then score points, then
// severity, then name, so the plan is the same on every run.
func compareActions(a, b Action) int {
	return cmp.Or(
		cmp.Compare(b.Steps, a.Steps),
		cmp.Compare(b.Points, a.Points),
		cmp.Compare(b.Severity, a.Severity),
		cmp.Compare(a.Check+a.Item, b.Check+b.Item),
	)
}

// ownerOf is the owner of the first attested item among ids, else of any
// attestation of the standards.
func ownerOf(ids []string, ndg []int, atts []standards.Attestation) string {
	for _, a := range atts {
		if a.Owner != "" && slices.Contains(ids, a.Item) {
			return a.Owner
		}
	}
	for _, a := range atts {
		if a.Owner != "" && slices.Contains(ndg, a.Standard) {
			return a.Owner
		}
	}
	return ""
}

// describe says the action in a line: "fix audit-logging: standard 2
// becomes Met (owner: IT lead; DSPT 4.4.1)".
func (a Action) describe(ndg []standards.Standard) string {
	var b strings.Builder
	switch a.Kind {
	case "answer":
		fmt.Fprintf(&b, "%s %s", answerVerb[a.Answered], a.Item)
		if a.More > 0 {
			fmt.Fprintf(&b, " and %d more %s of the standard", a.More, plural(a.More, "item", "items"))
		}
		fmt.Fprintf(&b, " (%s)", standardTitle(ndg, a.Changes))
	case "find out":
		fmt.Fprintf(&b, "find out %s (could not be read; run as administrator or check by hand)", a.Check)
	default:
		fmt.Fprintf(&b, "fix %s", a.Check)
	}
	if a.Hosts > 0 {
		fmt.Fprintf(&b, " on %d %s", a.Hosts, plural(a.Hosts, "PC", "PCs"))
	}
	if a.Kind == "fix" && a.Warning > 0 {
		fmt.Fprintf(&b, " (%d failing, %d warning)", a.Hosts-a.Warning, a.Warning)
	}
	b.WriteString(": ")
	if len(a.Changes) == 0 && a.Points > 0 {
		fmt.Fprintf(&b, "scores rise by %d points, no outcome changes yet", a.Points)
	} else if len(a.Changes) == 0 {
		b.WriteString("no outcome changes yet")
	}
	for i, c := range a.Changes {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "standard %d becomes %s", c.Standard, ShortOutcome(c.To))
	}
	if a.Hosts > 0 && len(a.Changes) > 0 {
		b.WriteString(" for the practice")
	}
	var tail []string
	if a.Owner != "" {
		tail = append(tail, "owner: "+a.Owner)
	}
	if len(a.DSPTItems) > 0 {
		tail = append(tail, "DSPT "+strings.Join(a.DSPTItems, ", "))
	}
	if len(tail) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(tail, "; "))
	}
	return b.String()
}

func standardTitle(ndg []standards.Standard, changes []OutcomeChange) string {
	if len(changes) == 0 {
		return "no outcome change"
	}
	for _, s := range ndg {
		if s.Number == changes[0].Standard {
			return lowerFirst(s.Title)
		}
	}
	return fmt.Sprintf("standard %d", changes[0].Standard)
}

// lowerFirst lower-cases a title's first word for use mid-sentence, but not
// an acronym: "Training" -> "training", "IT protection" stays.
func lowerFirst(title string) string {
	word, _, _ := strings.Cut(title, " ")
	if word == strings.ToUpper(word) {
		return title
	}
	return strings.ToLower(word[:1]) + title[1:]
}
