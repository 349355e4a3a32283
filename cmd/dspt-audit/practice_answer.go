package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/huh"
	"github.com/spf13/cobra"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
	"github.com/nhs-dspt/dspt-audit/standards/practice"
)

type practiceAnswerOptions struct{ Now string }

func newPracticeAnswerCommand(s *streams) *cobra.Command {
	o := &practiceAnswerOptions{}
	cmd := &cobra.Command{
		Use:   "answer [FILE]",
		Short: "Fill in the practice file through a form in the terminal",
		Long: `Walk through the toolkit items of the practice file that are not answered
yet, or whose answer is past its next review, one at a time: the question in
plain words, then the answer (met, partly, not met, or skip for now), where
the evidence is kept, who owns it (a role), the date it was reviewed, and
the next review (12 months later unless you say otherwise).

Each answer is saved as soon as it is given, so you can stop at any time
(Ctrl+C) and carry on later where you left off. The file is rewritten in
the layout 'practice init' writes: its own comments are kept, comments you
added by hand are not. FILE defaults to practice.yaml; 'practice init'
writes one if there is none yet. Needs a terminal: scripts edit the YAML.`,
		Example: `  dspt-audit practice answer
  dspt-audit practice answer \\server\dspt-admin\practice.yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(func(_ *cobra.Command, args []string) error {
			file := "practice.yaml"
			if len(args) == 1 {
				file = args[0]
			}
			return runPracticeAnswer(file, o, s)
		}),
	}
	cmd.Flags().StringVar(&o.Now, "now", "", "testing aid: answer as if it were this `TIME`; also DSPT_AUDIT_NOW")
	return cmd
}

func runPracticeAnswer(file string, o *practiceAnswerOptions, s *streams) error {
	if !s.InTTY || !s.OutTTY {
		return usagef("practice answer is a form and needs a terminal; to fill the file from a script, edit the YAML (dspt-audit practice check %s validates it)", file)
	}
	now, err := practiceNow(o.Now, s)
	if err != nil {
		return err
	}
	data, err := (&engineOptions{}).loadData()
	if err != nil {
		return err
	}
	items := &data.DSPT
	p := practice.Blank(items)
	if fileExists(file) {
		if p, err = loadPractice(file, data, now, true); err != nil {
			return usageError{err}
		}
	}
	todo := practice.ToAnswer(p, now)
	if len(todo) == 0 {
		fmt.Fprintf(s.Out, "Every item in %s is answered and in date.\n", file)
		return nil
	}
	saved := 0
	for n, i := range todo {
		a, err := askItem(s, p.Attestations[i], items, now, fmt.Sprintf("%d of %d", n+1, len(todo)))
		if errors.Is(err, huh.ErrUserAborted) {
			fmt.Fprintf(s.Out, "Stopped. %d answers saved in %s; run 'dspt-audit practice answer %s' again to carry on.\n", saved, file, file)
			return nil
		}
		if err != nil {
			return err
		}
		if !a.Answered() {
			continue
		}
		p.Attestations[i] = a
		if err := report.WriteFileAtomic(file, func(w io.Writer) error { return practice.Write(w, p, items) }); err != nil {
			return err
		}
		saved++
	}
	fmt.Fprintf(s.Out, "Done. %d answers saved in %s.\n", saved, file)
	return nil
}

func fileExists(file string) bool {
	_, err := os.Lstat(file)
	return err == nil
}

// skip is the answer that leaves an item for later.
const skip = "skip"

// askItem shows one item's form and returns the attestation as answered;
// skipped, it comes back unanswered.
func askItem(s *streams, a standards.Attestation, items *standards.DSPTItemFile, now time.Time, progress string) (standards.Attestation, error) {
	it, _ := items.Item(a.Item)
	title := fmt.Sprintf("%s (standard %d), %s", a.Item, a.Standard, progress)
	if it.Mandatory {
		title += " · mandatory"
	}
	answer := string(a.Answer)
	if answer == "" {
		answer = string(standards.AnswerMet)
	}
	reviewed := standards.DayOf(now).String()
	next := ""
	form := huh.NewForm(huh.NewGroup(
		huh.NewSelect[string]().Title(title).Description(cmpString(it.Asks, a.Item)).
			Options(huh.NewOption("Met", string(standards.AnswerMet)), huh.NewOption("Partly met", string(standards.AnswerPartly)),
				huh.NewOption("Not met", string(standards.AnswerNotMet)), huh.NewOption("Skip for now", skip)).
			Value(&answer),
	), huh.NewGroup(
		huh.NewInput().Title("Where is the evidence kept?").Description("A folder, a document or a system, such as Policies drive > IG > Training log").
			Value(&a.Evidence).CharLimit(300).Validate(plainLine),
		huh.NewInput().Title("Who owns it? (a role)").Placeholder("Practice Manager").
			Value(&a.Owner).CharLimit(100).Validate(plainLine),
		huh.NewInput().Title("Reviewed on (YYYY-MM-DD)").Value(&reviewed).CharLimit(10).Validate(func(v string) error {
			return pastDate(v, now)
		}),
		huh.NewInput().Title("Next review (YYYY-MM-DD)").Description("Leave blank for 12 months after the review").
			Value(&next).CharLimit(10).Validate(optionalDate),
	).WithHideFunc(func() bool { return answer == skip })).WithInput(s.In).WithOutput(s.Out).WithShowHelp(true)
	if err := form.Run(); err != nil {
		return a, err
	}
	if answer == skip {
		return standards.Attestation{}, nil
	}
	a.Answer = standards.Answer(answer)
	a.Reviewed = standards.MustDate(strings.TrimSpace(reviewed))
	a.NextReview = standards.Date{Time: a.Reviewed.AddDate(1, 0, 0)}
	if next = strings.TrimSpace(next); next != "" {
		a.NextReview = standards.MustDate(next)
	}
	if a.NextReview.Before(a.Reviewed.Time) {
		a.NextReview = standards.Date{Time: a.Reviewed.AddDate(1, 0, 0)}
	}
	return a, nil
}

func cmpString(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// plainLine refuses what the practice file would refuse.
func plainLine(v string) error {
	if strings.ContainsFunc(v, standards.UnsafeRune) {
		return errors.New("control characters and tabs are not allowed")
	}
	return nil
}

func pastDate(v string, now time.Time) error {
	d, err := standards.ParseDate(strings.TrimSpace(v))
	if err != nil {
		return errors.New("a date such as 2026-05-02")
	}
	if d.After(standards.DayOf(now).Time) {
		return errors.New("the review date cannot be in the future")
	}
	return nil
}

func optionalDate(v string) error {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if _, err := standards.ParseDate(strings.TrimSpace(v)); err != nil {
		return errors.New("a date such as 2027-05-02, or blank")
	}
	return nil
}
