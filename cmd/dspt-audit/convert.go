package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/nhs-dspt/dspt-audit/report"
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
	cmd := &cobra.Command{
		Use:   "convert REPORT.json",
		Short: "Render a saved JSON report in another format, without scanning again",
		Long: `Render a JSON report written by 'scan --format json' as text, an Excel
workbook, an HTML page, CSV or OCSF events. The verdicts are the ones in
the file: nothing is judged again.`,
		Example: `  dspt-audit report convert pc1.json -o pc1.xlsx
  dspt-audit report convert pc1.json --format html -o pc1.html
  dspt-audit report convert pc1.json --format ocsf >> findings.ndjson`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("%s takes one JSON report file, got %d arguments", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: runE(func(cmd *cobra.Command, args []string) error { return runConvert(args[0], o, s) }),
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func runConvert(path string, o *outputOptions, s *streams) error {
	format, err := pickFormat(o, s, report.Formats())
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return usagef("cannot read report: %v", err)
	}
	defer f.Close()
	rep, err := report.Read(f)
	if err != nil {
		return usagef("%s: %v", path, err)
	}
	return writeOutput(o.Output, s, reportRenderer(format, rep, s))
}
