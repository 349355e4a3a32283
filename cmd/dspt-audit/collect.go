package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/report"
)

type collectOptions struct {
	engineOptions
	Output string
}

func newCollectCommand(s *streams) *cobra.Command {
	o := &collectOptions{}
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Record what this machine looks like, without judging it",
		Long: `Record every observation the checks make (registry values, WMI rows, files,
command output, each with its value or the reason it could not be read) into a
snapshot file. 'dspt-audit scan --from FILE' judges it later, on any OS, with
the same verdicts a live scan gives. Custom checks (the data folder's checks
folder and --checks-dir) are run too, so that the snapshot holds what they
read; give the same checks files to 'scan --from' to judge them.`,
		Example: `  dspt-audit collect -o snapshot.json`,
		Args:    noArgs,
		RunE:    runE(func(cmd *cobra.Command, _ []string) error { return runCollect(cmd.Context(), o, s) }),
	}
	o.AddFlags(cmd.Flags())
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "write the snapshot to `FILE` (atomically; - is standard output)")
	return cmd
}

func runCollect(ctx context.Context, o *collectOptions, s *streams) error {
	if err := checkOutputPath(o.Output); err != nil {
		return err
	}
	data, now, err := o.prepare(s)
	if err != nil {
		return err
	}
	pack, err := o.loadCustom(s, "", "")
	if err != nil {
		return err
	}
	selected, err := o.selectChecks(pack)
	if err != nil {
		return err
	}
	warnNotLoaded(s, pack)
	scan, err := checks.Run(ctx, probe.Live{}, checks.Options{Checks: selected, Data: data, ProbeTimeout: o.ProbeTimeout, Now: now, Clock: time.Now, RecordLastUser: o.RecordLastUser})
	if err != nil {
		return err
	}
	snap := scan.Snapshot("dspt-audit " + version())
	if err := writeOutput(o.Output, s, func(w io.Writer, _ bool) error { return report.JSON(w, snap) }); err != nil {
		return err
	}
	if !toStdout(o.Output) && s.ErrTTY {
		fmt.Fprintf(s.Err, "Wrote %d observations of %s to %s.\n", len(snap.Observations), report.Sanitize(snap.Host.Hostname), o.Output)
	}
	return nil
}
