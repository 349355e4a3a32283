package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/nhs-dspt/dspt-audit/report"
)

// viewOptions shape the terminal view of one machine's report.
type viewOptions struct {
	Summary bool
}

func (o *viewOptions) AddFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.Summary, "summary", false, "text view: the outcome, the counts and the standards only, without each check")
}

// validate refuses --summary for a format it does not shape.
func (o *viewOptions) validate(format string) error {
	if o.Summary && format != "text" {
		return usagef("--summary shapes the text view; --format %s always holds every check", format)
	}
	return nil
}

// saidWhere tells the person at a terminal where the report went, as
// collect does: a file written says nothing otherwise.
func saidWhere(s *streams, output string, rep *report.Report) {
	if toStdout(output) || !s.ErrTTY || isDevice(output) {
		return
	}
	fmt.Fprintf(s.Err, "Wrote the report of %s (%s) to %s.\n", report.Sanitize(report.Shown(rep.Host.Name)), rep.Outcome, output)
}
