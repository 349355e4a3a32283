package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/schedule"
	"github.com/nhs-dspt/dspt-audit/report"
)

// Exit codes, documented in the README.
const (
	exitOK       = 0
	exitError    = 1 // the scan or a file operation failed
	exitUsage    = 2 // bad command line or bad input file
	exitFindings = 3 // --fail-on: a check failed at or above that severity; schedule run: standards not met; data status: update data stale
	exitNotAdmin = 4 // schedule install/remove: needs an elevated prompt or root
	// report verify: the result carries no signature, or one that does not hold.
	exitUnsigned     = 5
	exitBadSignature = 6
	exitBadChecks    = 7 // checks validate: a checks file or a check in it would not be loaded
)

// usageError is a mistake in what the user asked for.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// findingsError carries --fail-on's outcome to the exit code.
type findingsError struct{ msg string }

func (e findingsError) Error() string { return e.msg }

func newRootCommand(s *streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "dspt-audit",
		Short: "Audit this machine against the NHS data security standards (DSPT)",
		Long: `dspt-audit checks this Windows or Linux machine against the National Data
Guardian's 10 data security standards and writes a scored report with the
evidence behind every verdict, for the annual Data Security and Protection
Toolkit (DSPT) submission and for CQC inspections.

It reads the registry, WMI, files and system APIs only: it changes nothing,
needs no network, and runs as one offline binary.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		newScanCommand(s),
		newCollectCommand(s),
		newReportCommand(s),
		newDiffCommand(s),
		newFleetCommand(s),
		newPracticeCommand(s),
		newDataCommand(s),
		newScheduleCommand(s),
		newChecksCommand(s),
		newStandardsCommand(s),
		newVersionCommand(s),
	)
	return root
}

// run executes one command line and returns the exit code. Only here do
// errors become messages and codes.
func run(args []string, s *streams) int {
	root := newRootCommand(s)
	root.SetArgs(args)
	cmd, err := root, unknownSubcommand(root, args)
	if err == nil {
		cmd, err = root.ExecuteContextC(context.Background())
	}
	var unknown unknownCommandError
	if errors.As(err, &unknown) {
		cmd = unknown.cmd
	}
	if err == nil {
		return exitOK
	}
	// Errors quote file names and values from outside: shown, never obeyed.
	fmt.Fprintf(s.Err, "dspt-audit: %s\n", report.Sanitize(oneLine(err.Error())))
	var findings findingsError
	var stale staleError
	var usage usageError
	var notAdmin schedule.NotElevatedError
	var verify verifyError
	var badChecks checksProblemsError
	switch {
	case errors.As(err, &badChecks):
		return exitBadChecks
	case errors.As(err, &verify):
		return verify.code
	case errors.As(err, &findings), errors.As(err, &stale):
		return exitFindings
	case errors.As(err, &notAdmin):
		return exitNotAdmin
	case !ranCommand(cmd):
		fmt.Fprintf(s.Err, "Run '%s --help' for usage.\n", cmd.CommandPath())
		return exitUsage
	case errors.As(err, &usage):
		return exitUsage
	}
	return exitError
}

// ranCommand tells cobra's own argument errors (unknown command) from
// errors of a command that ran.
func ranCommand(cmd *cobra.Command) bool {
	return cmd != nil && cmd.Annotations["ran"] == "yes"
}

// runE marks the command as having run, then calls fn.
func runE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if cmd.Annotations == nil {
			cmd.Annotations = map[string]string{}
		}
		cmd.Annotations["ran"] = "yes"
		return fn(cmd, args)
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
