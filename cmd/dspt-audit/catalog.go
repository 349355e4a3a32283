package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

var listFormats = []string{"text", "json"}

type listOptions struct {
	Format string
	Long   bool
	// ChecksDirs are folders of custom checks files to list too.
	ChecksDirs []string
}

func (o *listOptions) validate() error {
	if !slices.Contains(listFormats, o.Format) {
		return usagef("--format %q is not one of %s", o.Format, strings.Join(listFormats, ", "))
	}
	return nil
}

// catalogueEntry is one check as the catalogue lists it, including what it
// declares it reads.
type catalogueEntry struct {
	ID          string             `json:"id"`
	Title       string             `json:"title"`
	Severity    standards.Severity `json:"severity"`
	Platforms   []string           `json:"platforms"`
	Mappings    standards.Mappings `json:"mappings"`
	Remediation string             `json:"remediation"`
	// Remediations is the remediation on each platform the check runs on.
	Remediations map[string]string `json:"remediations"`
	Reads        []string          `json:"reads"`
	// Origin is the checks file a custom check was loaded from.
	Origin string `json:"origin,omitempty"`
}

func newChecksCommand(s *streams) *cobra.Command {
	o := &listOptions{}
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List the check catalogue: id, title, severity, platforms and mappings",
		Args:  noArgs,
		RunE: runE(func(*cobra.Command, []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			all, err := catalogueWith(s, o.ChecksDirs)
			if err != nil {
				return err
			}
			if o.Long && o.Format == "text" {
				return listChecksLong(s.Out, all)
			}
			return listChecks(s.Out, o.Format, all)
		}),
	}
	cmd.Flags().StringVarP(&o.Format, "format", "f", "text", "output format: "+strings.Join(listFormats, ", "))
	cmd.Flags().BoolVarP(&o.Long, "long", "l", false, "text: also each check's DSPT evidence items, CAF outcomes, remediation per platform and every probe it reads")
	cmd.Flags().StringArrayVar(&o.ChecksDirs, "checks-dir", nil, "also list the custom checks in the checks files in `DIR`, each with its file; repeatable")
	cmd.AddCommand(newChecksValidateCommand(s))
	return cmd
}

// catalogueWith is the built-in catalogue and the custom checks of dirs; a
// check or file that did not load is a warning on standard error.
func catalogueWith(s *streams, dirs []string) ([]*checks.Check, error) {
	if len(dirs) == 0 {
		return checks.All(), nil
	}
	if missing := missingDirs(dirs); len(missing) > 0 {
		return nil, usagef("--checks-dir %s is not a folder: give the folder that holds the checks files", missing[0].Path)
	}
	pack := s.loadDirs()(dirs, checks.All())
	keepRecordable(pack)
	warnNotLoaded(s, pack)
	return append(checks.All(), pack.Checks...), nil
}

func listChecks(w io.Writer, format string, all []*checks.Check) error {
	var entries []catalogueEntry
	for _, c := range all {
		entries = append(entries, newCatalogueEntry(c))
	}
	if format == "json" {
		return report.JSON(w, entries)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tPLATFORMS\tNDG\tCYBER ESSENTIALS\tCIS\tTITLE")
	for _, e := range entries {
		cells := []string{e.ID, e.Severity.String(), strings.Join(e.Platforms, ","),
			joinInts(e.Mappings.NDG), strings.Join(e.Mappings.CyberEssentials, "; "), cisShort(e.Mappings.CIS), e.titleLine()}
		for i, c := range cells {
			cells[i] = report.Sanitize(c) // a custom check's words come from outside the binary
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	fmt.Fprintln(tw, "\n'dspt-audit checks --long' adds each check's DSPT evidence items, CAF outcomes, fix per platform and every probe it reads.")
	return tw.Flush()
}

func newCatalogueEntry(c *checks.Check) catalogueEntry {
	e := catalogueEntry{ID: c.ID, Title: c.Title, Severity: c.Severity, Platforms: c.Platforms, Mappings: c.Mappings,
		Remediation: c.Remediation, Remediations: map[string]string{}}
	for _, p := range c.Platforms {
		e.Remediations[p] = c.RemediationOn(p)
	}
	for _, q := range c.Reads {
		e.Reads = append(e.Reads, fmt.Sprintf("%s: %s", q.Kind, q))
	}
	e.Origin = c.Origin
	return e
}

// titleLine is the title, and for a custom check the file it came from.
func (e catalogueEntry) titleLine() string {
	if e.Origin == "" {
		return e.Title
	}
	return fmt.Sprintf("%s (custom, from %s)", e.Title, e.Origin)
}

// listChecksLong prints each check as a block: its line, its mappings to
// every framework, its fix per platform, and every probe it reads.
func listChecksLong(w io.Writer, all []*checks.Check) error {
	var b strings.Builder
	for i, c := range all {
		e := newCatalogueEntry(c)
		if i > 0 {
			b.WriteString("\n")
		}
		m := e.Mappings
		fmt.Fprintf(&b, "%s  %s  %s\n  %s\n", e.ID, e.Severity, strings.Join(e.Platforms, ", "), e.titleLine())
		fmt.Fprintf(&b, "  NDG standard: %s\n  DSPT items (v8, Category 4): %s\n  Earlier DSPT and CAF-aligned references: %s\n  Cyber Essentials: %s\n  CAF outcomes: %s\n  CIS: %s\n",
			orNone(joinInts(m.NDG)), orNone(strings.Join(m.DSPTItems, ", ")), orNone(strings.Join(m.DSPT, "; ")), orNone(strings.Join(m.CyberEssentials, "; ")),
			orNone(strings.Join(m.CAF, ", ")), orNone(strings.Join(m.CIS, "; ")))
		for _, p := range e.Platforms {
			fmt.Fprintf(&b, "  Fix on %s: %s\n", p, e.Remediations[p])
		}
		fmt.Fprintf(&b, "  Reads (%d):\n", len(e.Reads))
		for _, r := range e.Reads {
			fmt.Fprintf(&b, "    %s\n", r)
		}
	}
	_, err := io.WriteString(w, sanitizedLines(b.String()))
	return err
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func cisShort(ids []string) string {
	if len(ids) == 0 {
		return "-"
	}
	var out []string
	for _, id := range ids {
		if f := strings.Fields(id); len(f) > 0 { // a custom check's CIS ID may be blank
			out = append(out, f[0])
		}
	}
	return strings.Join(out, ",")
}

func joinInts(ns []int) string {
	var s []string
	for _, n := range ns {
		s = append(s, fmt.Sprint(n))
	}
	return strings.Join(s, ",")
}

type standardEntry struct {
	standards.Standard
	Checks []string `json:"checks"`
}

func newStandardsCommand(s *streams) *cobra.Command {
	o := &listOptions{}
	var dataFiles []string
	cmd := &cobra.Command{
		Use:   "standards",
		Short: "List the 10 NDG data security standards and the checks that serve each",
		Args:  noArgs,
		RunE: runE(func(*cobra.Command, []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			data, err := standards.Load(dataFiles...)
			if err != nil {
				return usageError{err}
			}
			return listStandards(s.Out, o.Format, data, checks.All())
		}),
	}
	cmd.Flags().StringVarP(&o.Format, "format", "f", "text", "output format: "+strings.Join(listFormats, ", "))
	cmd.Flags().StringArrayVar(&dataFiles, "data", nil, "newer reference data `FILE` to use instead of the built-in copy")
	return cmd
}

func listStandards(w io.Writer, format string, data *standards.Data, all []*checks.Check) error {
	var entries []standardEntry
	for _, std := range data.NDG.Standards {
		e := standardEntry{Standard: std, Checks: []string{}}
		for _, c := range all {
			if slices.Contains(c.Mappings.NDG, std.Number) {
				e.Checks = append(e.Checks, c.ID)
			}
		}
		entries = append(entries, e)
	}
	if format == "json" {
		return report.JSON(w, entries)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NO\tSTANDARD\tOBLIGATION\tCHECKS")
	for _, e := range entries {
		served := strings.Join(e.Checks, ", ")
		if served == "" {
			served = "(none: evidence this in the DSPT directly)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", e.Number, report.Sanitize(e.Title), report.Sanitize(e.Obligation), served)
	}
	var paper []string
	for _, e := range entries {
		if !e.MachineEvidence {
			paper = append(paper, fmt.Sprint(e.Number))
		}
	}
	fmt.Fprintf(tw, "\nStandards %s are about people, processes and contracts: no machine check can evidence them, and reports list them as not assessed, never as met.\n", strings.Join(paper, ", "))
	fmt.Fprintf(tw, "Source: %s\n", report.Sanitize(data.NDG.Source))
	return tw.Flush()
}
