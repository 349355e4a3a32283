package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/diff"
	"github.com/nhs-dspt/dspt-audit/standards"
)

type diffOptions struct {
	outputOptions
	FailOnRegression bool
}

func (o *diffOptions) AddFlags(f *pflag.FlagSet) {
	names := formatNames(diff.Formats())
	f.StringVarP(&o.Format, "format", "f", "", "diff `FORMAT`: "+strings.Join(names, ", ")+" (default: what the -o file's extension says, else text)")
	f.StringVarP(&o.Output, "output", "o", "", "write the diff to `FILE` (atomically; - is standard output)")
	f.BoolVar(&o.FailOnRegression, "fail-on-regression", false, "exit 3 when a check regressed or newly fails")
}

func newDiffCommand(s *streams) *cobra.Command {
	o := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff OLD.json NEW.json",
		Short: "Say what changed between two saved results: checks, evidence, standards",
		Long: `Compare two JSON results written by 'scan --format json' or the nightly
task (HOST.json, history/HOST/*.json): each check that regressed, newly
fails, was fixed or improved; the observed values that changed (a registry
value, members added to the Administrators group, a new listening port);
each standard's outcome and score before and after.

Both files are read as 'report convert' reads one, and judged again with
this build's scoring rule. Results of another machine, a renamed one, another
dspt-audit version or other reference data compare all the same, with a
note saying so; so do results given newest first. A check in one result
only is listed as added or removed.

Exit status: 0 compared; 3 with --fail-on-regression when a check regressed
or newly fails; 2 a file is not a result or the command line is wrong (-o
naming OLD or NEW among them); 1 the diff could not be written.`,
		Example: `  dspt-audit diff history/PC1/20260601T020000Z.json PC1.json
  dspt-audit diff old.json new.json -o changes.xlsx
  dspt-audit diff old.json new.json --format json --fail-on-regression`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usagef("%s takes two JSON results, OLD then NEW, got %d arguments", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: runE(func(cmd *cobra.Command, args []string) error { return runDiff(args[0], args[1], o, s) }),
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func runDiff(oldPath, newPath string, o *diffOptions, s *streams) error {
	format, err := pickFormat(&o.outputOptions, s, diff.Formats())
	if err != nil {
		return err
	}
	if err := refuseInputAsOutput(o.Output, input{"OLD", oldPath}, input{"NEW", newPath}); err != nil {
		return err
	}
	data, err := standards.Load()
	if err != nil {
		return err
	}
	before, oldNotes, err := readResult(oldPath, data)
	if err != nil {
		return err
	}
	after, newNotes, err := readResult(newPath, data)
	if err != nil {
		return err
	}
	d := diff.Compare(before, after)
	d.Notes = append(d.Notes, sideNotes("OLD", oldNotes)...)
	d.Notes = append(d.Notes, sideNotes("NEW", newNotes)...)
	write := renderer(diff.Formats(), format, d, func(w io.Writer, tty bool) error {
		return diff.Terminal(w, d, diff.TerminalOptions{Color: tty && !s.NoColor, Width: terminalWidth(tty)})
	})
	if err := writeOutput(o.Output, s, write); err != nil {
		return err
	}
	if o.FailOnRegression && d.Worse() {
		worse := append(d.Regressed(), d.NewFailures()...)
		return findingsError{fmt.Sprintf("%d check(s) regressed or newly fail: %s", len(worse), strings.Join(worse, ", "))}
	}
	return nil
}

// readResult reads a saved result as 'report convert' does and judges its
// verdicts again, returning what the judging noted. Results of checks this
// build does not know count towards nothing, but stay listed: a check in
// one result only is never dropped from a diff.
func readResult(path string, data *standards.Data) (*report.Report, []string, error) {
	rep, err := readReport(path)
	if err != nil {
		return nil, nil, err
	}
	all := rep.Results
	rescored, err := report.Rescore(rep, data.NDG.Standards)
	if err != nil {
		return nil, nil, usagef("%s: %v", path, err)
	}
	notes := rescored.Notes
	if rescored.Unknown > 0 {
		for _, r := range all {
			if !report.Known(r.ID) {
				rep.Results = append(rep.Results, r)
			}
		}
		unknown := report.UnknownChecksNote(rescored.Unknown)
		notes = slices.DeleteFunc(slices.Clone(notes), func(n string) bool { return n == unknown })
		notes = append(notes, fmt.Sprintf("%d %s this build does not know (written by a newer dspt-audit, or the file was altered): listed with the file's own title and status, counted towards no score.",
			rescored.Unknown, plural(rescored.Unknown, "check", "checks")))
	}
	return rep, notes, nil
}

func sideNotes(side string, notes []string) []string {
	out := make([]string, len(notes))
	for i, n := range notes {
		out[i] = side + ": " + n
	}
	return out
}
