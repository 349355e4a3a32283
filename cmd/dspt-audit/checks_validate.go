package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/declared"
	"github.com/nhs-dspt/dspt-audit/report"
)

// checksProblemsError says checks validate found problems; its exit code
// is exitBadChecks.
type checksProblemsError struct{ problems int }

func (e checksProblemsError) Error() string {
	if e.problems == 1 {
		return "1 problem in the checks files: that check or file would not be loaded"
	}
	return fmt.Sprintf("%d problems in the checks files: those checks or files would not be loaded", e.problems)
}

func newChecksValidateCommand(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "validate DIR|FILE...",
		Short: "Check custom checks files as a scan would load them, and list every problem",
		Long: `Load each checks file (a FILE, or every *.yaml and *.yml in a DIR) as a scan
would, against the built-in catalogue, and print each file with the checks it
loads, then every problem on one line as FILE:LINE: MESSAGE.

Exit status: 0 when every check of every file loads; 7 when any file or check
would not be loaded; 2 for a usage error.`,
		Args: cobra.MinimumNArgs(1),
		RunE: runE(func(_ *cobra.Command, args []string) error {
			return runChecksValidate(s.Out, args, checks.All())
		}),
	}
}

func runChecksValidate(w io.Writer, paths []string, builtin []*checks.Check) error {
	pack := declared.LoadPaths(paths, builtin)
	refuseUnrecordable(pack)
	var b strings.Builder
	shown := map[string]bool{}
	for _, f := range pack.Files {
		shown[f.Path] = true
		fmt.Fprintf(&b, "%s: %s loaded", report.Sanitize(f.Path), count(len(f.Loaded), "check", "checks"))
		if len(f.Loaded) > 0 {
			fmt.Fprintf(&b, ": %s", strings.Join(f.Loaded, ", "))
		}
		b.WriteString("\n")
		for _, p := range pack.Problems {
			if p.Path == f.Path {
				fmt.Fprintf(&b, "  %s\n", report.Sanitize(p.Error()))
			}
		}
	}
	for _, p := range pack.Problems {
		if !shown[p.Path] {
			fmt.Fprintf(&b, "%s\n", report.Sanitize(p.Error()))
		}
	}
	fmt.Fprintf(&b, "%s, %s loaded, %s\n", count(len(pack.Files), "file", "files"), count(len(pack.Checks), "check", "checks"), count(len(pack.Problems), "problem", "problems"))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if len(pack.Problems) > 0 {
		return checksProblemsError{len(pack.Problems)}
	}
	return nil
}

// count is n with its noun: "1 check", "2 checks".
func count(n int, one, many string) string { return fmt.Sprintf("%d %s", n, plural(n, one, many)) }

// refuseUnrecordable makes a problem of each loaded check a result could
// not record (report.Recordable), as a scan does, so that validate and the
// scan agree.
func refuseUnrecordable(pack *declared.Pack) {
	var kept []*checks.Check
	for _, c := range pack.Checks {
		if err := report.Recordable(c); err != nil {
			pack.Problems = append(pack.Problems, declared.Problem{Path: c.Origin, ID: c.ID, Message: err.Error()})
			for i := range pack.Files {
				if pack.Files[i].Path == c.Origin {
					pack.Files[i].Loaded = slices.DeleteFunc(slices.Clone(pack.Files[i].Loaded), func(id string) bool { return id == c.ID })
				}
			}
			continue
		}
		kept = append(kept, c)
	}
	pack.Checks = kept
}
