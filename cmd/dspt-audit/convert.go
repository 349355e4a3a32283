package main

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

func newReportCommand(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Work with saved JSON reports",
		Args:  noArgs,
	}
	cmd.AddCommand(newConvertCommand(s), newVerifyCommand(s))
	return cmd
}

func newConvertCommand(s *streams) *cobra.Command {
	o := &outputOptions{}
	view := &viewOptions{}
	cmd := &cobra.Command{
		Use:   "convert REPORT.json",
		Short: "Render a saved JSON report in another format, without scanning again",
		Long: `Render a JSON report written by 'scan --format json' as text, an Excel
workbook, an HTML page, CSV or OCSF events. The verdicts are the ones in
the file; the outcome and scores are worked out from them again with this
build's scoring rule, and titles and severities come from this build's
catalogue: a file claiming otherwise is noted (on standard error and in
the report's data notes), and checks this build does not know are left out.`,
		Example: `  dspt-audit report convert pc1.json -o pc1.xlsx
  dspt-audit report convert pc1.json --format html -o pc1.html
  dspt-audit report convert pc1.json --format ocsf >> findings.ndjson`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("%s takes one JSON report file, got %d arguments", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: runE(func(cmd *cobra.Command, args []string) error { return runConvert(args[0], o, *view, s) }),
	}
	o.AddFlags(cmd.Flags())
	view.AddFlags(cmd.Flags())
	return cmd
}

func runConvert(path string, o *outputOptions, view viewOptions, s *streams) error {
	format, err := pickFormat(o, s, report.Formats())
	if err != nil {
		return err
	}
	if err := view.validate(format); err != nil {
		return err
	}
	if err := refuseInputAsOutput(o.Output, input{"the report", path}); err != nil {
		return err
	}
	rep, err := readReport(path)
	if err != nil {
		return err
	}
	data, err := standards.Load()
	if err != nil {
		return err
	}
	recount, err := report.Recount(rep, data.NDG.Standards)
	if err != nil {
		return usagef("%s: %v", path, err)
	}
	for _, note := range recount.Notes {
		fmt.Fprintf(s.Err, "%s: %s\n", path, note)
	}
	// A view shows the result's age now; JSON stays the result as saved.
	if format != "json" {
		now, err := nowFrom("", s)
		if err != nil {
			return err
		}
		rep.GeneratedAt = cmp.Or(now, time.Now()).UTC()
	}
	if err := writeOutput(o.Output, s, reportRenderer(format, rep, s, view)); err != nil {
		return err
	}
	saidWhere(s, o.Output, rep)
	return nil
}

// readReport reads a saved report, or says what the file is instead.
func readReport(path string) (*report.Report, error) {
	b, err := readInput(path, "report", report.MaxSize)
	if err != nil {
		return nil, err
	}
	if err := wrongKind(path, b, report.ScanResult); err != nil {
		return nil, err
	}
	rep, err := report.Decode(b)
	if err != nil {
		return nil, usagef("%s: %v", path, err)
	}
	sum := sha256.Sum256(b)
	rep.ResultSHA256 = hex.EncodeToString(sum[:])
	return rep, nil
}
