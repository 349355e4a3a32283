package main

import (
	"cmp"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/fleet"
	"github.com/nhs-dspt/dspt-audit/standards"
)

type fleetOptions struct {
	outputOptions
	StaleDays int
	Recursive bool
	Now       string
}

func newFleetCommand(s *streams) *cobra.Command {
	o := &fleetOptions{}
	cmd := &cobra.Command{
		Use:   "fleet DIR|FILE...",
		Short: "Roll up every PC's results into one practice report",
		Long: `Read every scan result (HOST.json, as 'schedule' or 'scan -f json' writes
them) in the folders given, keep the newest per host, and report the whole
practice: each host's outcome and age, how many hosts pass or fail each
check, and the share of hosts meeting each NDG standard with a
practice-level outcome and the rule that reached it.

Results from older versions of dspt-audit are read; files that are not
results (corrupt, cut short, another program's, a newer schema) are listed
as skipped with the reason and never stop the roll-up. Hosts whose newest
result is older than --stale-days are flagged.

For more hosts than a spreadsheet holds, --format ocsf writes every host's
findings as OCSF events (one JSON object per line) for a SIEM.`,
		Example: `  dspt-audit fleet \\server\share\dspt -o practice.xlsx
  dspt-audit fleet /srv/dspt/site-a /srv/dspt/site-b --format html -o practice.html
  dspt-audit fleet --recursive /srv/dspt --format ocsf -o fleet.ndjson`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("%s needs at least one folder (or file) of results", cmd.CommandPath())
			}
			return nil
		},
		RunE: runE(func(cmd *cobra.Command, args []string) error { return runFleet(cmd, args, o, s) }),
	}
	o.outputOptions.AddFlags(cmd.Flags())
	cmd.Flags().IntVar(&o.StaleDays, "stale-days", int(fleet.DefaultStaleAfter.Hours()/24), "flag hosts whose newest result is older than `N` days")
	cmd.Flags().BoolVarP(&o.Recursive, "recursive", "r", false, "also read the folders inside each folder (history/ included)")
	cmd.Flags().StringVar(&o.Now, "now", "", "testing aid: judge staleness as if it were this `TIME`; also DSPT_AUDIT_NOW")
	return cmd
}

func runFleet(cmd *cobra.Command, paths []string, o *fleetOptions, s *streams) error {
	format, err := pickFormat(&o.outputOptions, s, fleet.Formats())
	if err != nil {
		return err
	}
	if o.StaleDays < 1 {
		return usagef("--stale-days must be 1 or more, got %d", o.StaleDays)
	}
	now, err := parseNow(cmp.Or(o.Now, s.Getenv("DSPT_AUDIT_NOW")))
	if err != nil {
		return err
	}
	data, err := standards.Load()
	if err != nil {
		return err
	}
	opts := fleet.Options{
		Tool: report.Tool{Name: "dspt-audit", Version: version()}, Now: now,
		StaleAfter: time.Duration(o.StaleDays) * 24 * time.Hour, Recursive: o.Recursive, Standards: data.NDG.Standards,
	}
	bar := newProgressBar(s, "Reading results")
	opts.Progress = bar.Update
	roll, err := fleet.Read(cmd.Context(), paths, opts)
	bar.Clear()
	if err != nil {
		return usageError{err}
	}
	listed := len(roll.Skipped)
	if err := writeOutput(o.Output, s, fleetRenderer(format, roll, s)); err != nil {
		return err
	}
	for _, sk := range roll.Skipped[listed:] { // results that changed before the OCSF events were written
		fmt.Fprintf(s.Err, "%s: %s\n", sk.Path, sk.Reason)
	}
	if len(roll.Hosts) == 0 {
		return fmt.Errorf("no scan results found in %d files (%d skipped, each listed with its reason)", roll.FilesSeen, len(roll.Skipped))
	}
	if s.ErrTTY && o.Output != "" && o.Output != "-" {
		fmt.Fprintf(s.Err, "%d hosts (%s) from %d results written to %s; %d files skipped.\n",
			len(roll.Hosts), roll.Outcome, roll.ResultsRead, o.Output, len(roll.Skipped))
	}
	return nil
}

func fleetRenderer(format string, roll *fleet.Rollup, s *streams) func(w io.Writer, tty bool) error {
	return renderer(fleet.Formats(), format, roll, func(w io.Writer, tty bool) error {
		return fleet.Terminal(w, roll, fleet.TerminalOptions{Color: tty && !s.NoColor})
	})
}
