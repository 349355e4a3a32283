package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/datafeed"
	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/schedule"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// defaultDataDir is the machine-wide data folder that scans read and
// 'data update' writes.
func defaultDataDir() string { return filepath.Join(schedule.StateDir(), "data") }

// staleError is 'data status' finding the Windows update data stale.
type staleError struct{ msg string }

func (e staleError) Error() string { return e.msg }

func newDataCommand(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Keep the reference data fresh: update from the vendors, import saved documents, show status",
		Long: `The verdicts rest on facts that change every month: Windows' monthly update
builds, release lifecycles and programs' end-of-support dates. dspt-audit
ships with the facts as of its build; 'data update' fetches newer ones from
the sources that publish them (Microsoft's Security Update Guide CVRF API,
endoflife.date) into a data folder, and every scan reads that folder.

A scan itself never uses the network. Where PCs cannot reach the internet,
save the documents on a computer that can and 'data import' them, or keep
one data folder on a server (read-only for the PCs) and point scans at it
with --data-dir.`,
		Args: noArgs,
	}
	cmd.AddCommand(newDataUpdateCommand(s), newDataImportCommand(s), newDataStatusCommand(s))
	return cmd
}

// dataFolderOptions are the flags every data command shares: the folder,
// and the day it is for.
type dataFolderOptions struct {
	Dir     string
	Now     string
	Verbose bool
}

// addFlags adds --dir and, as another name for it, the --data-dir that
// scan and schedule take, so either spelling works.
func (o *dataFolderOptions) addFlags(f *pflag.FlagSet, what string) {
	f.StringVar(&o.Dir, "dir", "", "data folder "+what+" (default "+defaultDataDir()+")")
	f.StringVar(&o.Dir, "data-dir", "", "the same as --dir")
	_ = f.MarkHidden("data-dir")
	f.BoolVarP(&o.Verbose, "verbose", "v", false, "also print the routine notes of the conversion (shown anyway on a terminal)")
	f.StringVar(&o.Now, "now", "", "testing aid: act as if it were this day (YYYY-MM-DD); also DSPT_AUDIT_NOW")
	_ = f.MarkHidden("now")
}

// printNotes shows the conversion's notes to a person watching, or when
// asked: a script's standard error stays for what went wrong.
func (o *dataFolderOptions) printNotes(s *streams, notes []string) {
	if !o.Verbose && !s.ErrTTY {
		return
	}
	for _, n := range notes {
		fmt.Fprintf(s.Err, "dspt-audit: note: %s\n", report.Sanitize(n))
	}
}

// resolve returns the folder and the time the command works with.
func (o *dataFolderOptions) resolve(s *streams) (string, time.Time, error) {
	now, err := nowFrom(o.Now, s)
	if now.IsZero() && err == nil {
		now = time.Now()
	}
	return cmp.Or(o.Dir, defaultDataDir()), now, err
}

type dataUpdateOptions struct {
	dataFolderOptions
	MSRC      string
	EndOfLife string
	KEV       string
	Timeout   time.Duration
}

func newDataUpdateCommand(s *streams) *cobra.Command {
	o := &dataUpdateOptions{}
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Fetch the newest facts from Microsoft and endoflife.date into the data folder",
		Long: `Fetch every monthly security update document Microsoft published after the
newest month the data holds (and any revised since it was fetched), and the
lifecycle dates of Windows, Windows Server, the Linux distributions and the
programs dspt-audit knows, from endoflife.date, and CISA's catalogue of
vulnerabilities exploited in the wild with the monthly documents that fix
its Windows entries (at most 60 looked up and 12 months fetched per update;
the next update carries on). Convert and check them, then
install them into the data folder atomically.

The proxy comes from HTTPS_PROXY / HTTP_PROXY / NO_PROXY. A failed, partial
or malformed download changes nothing: the earlier data stays as it was, and
the error names the address and what was wrong (exit code 1).`,
		Example: `  dspt-audit data update
  dspt-audit data update --dir \\server\dspt-data
  HTTPS_PROXY=http://proxy.nhs.example:8080 dspt-audit data update`,
		Args: noArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error { return runDataUpdate(cmd, o, s) }),
	}
	f := cmd.Flags()
	o.addFlags(f, "to update")
	f.StringVar(&o.MSRC, "msrc-url", datafeed.MSRCBase, "base `URL` of Microsoft's CVRF API, or a mirror of it")
	f.StringVar(&o.EndOfLife, "endoflife-url", datafeed.EndOfLifeBase, "base `URL` of endoflife.date's API v1, or a mirror of it")
	f.StringVar(&o.KEV, "kev-url", datafeed.KEVURL, "`URL` of CISA's Known Exploited Vulnerabilities catalogue (JSON), or a mirror of it")
	f.DurationVar(&o.Timeout, "timeout", 2*time.Minute, "how long one download may take")
	return cmd
}

func runDataUpdate(cmd *cobra.Command, o *dataUpdateOptions, s *streams) error {
	dir, now, err := o.resolve(s)
	if err != nil {
		return err
	}
	if err := inRange("timeout", o.Timeout, time.Second, maxDownloadTimeout); err != nil {
		return err
	}
	for _, u := range []*string{&o.MSRC, &o.EndOfLife} {
		if !strings.HasPrefix(*u, "https://") && !strings.HasPrefix(*u, "http://") {
			return usagef("%q is not an http(s) address", *u)
		}
		*u = strings.TrimSuffix(*u, "/") + "/"
	}
	if !strings.HasPrefix(o.KEV, "https://") && !strings.HasPrefix(o.KEV, "http://") {
		return usagef("%q is not an http(s) address", o.KEV)
	}
	if err := datafeed.CheckDir(dir); err != nil {
		return usageError{err}
	}
	fetcher := datafeed.NewFetcher(s.Getenv, "dspt-audit/"+version())
	fetcher.Timeout = o.Timeout
	opts := datafeed.Options{Dir: dir, MSRC: o.MSRC, EndOfLife: o.EndOfLife, KEV: o.KEV, Now: now}
	if s.ErrTTY {
		opts.Progress = func(format string, args ...any) { fmt.Fprintln(s.Err, report.Sanitize(fmt.Sprintf(format, args...))) }
	}
	res, err := datafeed.Update(cmd.Context(), fetcher, opts)
	if err != nil {
		return fmt.Errorf("data update failed, the data in %s is unchanged: %w. Try again later, or save the documents by hand and use 'dspt-audit data import'", dir, err)
	}
	o.printNotes(s, res.Notes)
	return describeInstall(s.Out, dir, res.Installed, res.Months)
}

func describeInstall(w io.Writer, dir string, installed, months []string) error {
	if len(installed) == 0 {
		_, err := fmt.Fprintf(w, "Nothing new: the data in %s is as current as the sources.\n", dir)
		return err
	}
	if len(months) > 0 {
		fmt.Fprintf(w, "Windows update months added: %s.\n", strings.Join(months, ", "))
	}
	for _, f := range installed {
		fmt.Fprintf(w, "Installed %s\n", f)
	}
	_, err := fmt.Fprintln(w, "Check it with: dspt-audit data status")
	return err
}

type dataImportOptions struct {
	dataFolderOptions
	Output string
}

func newDataImportCommand(s *streams) *cobra.Command {
	o := &dataImportOptions{}
	cmd := &cobra.Command{
		Use:   "import FILE...",
		Short: "Convert documents saved by hand (CVRF months, KEV catalogue, endoflife.date answers) into the data folder",
		Long: `For PCs that never reach the internet: on a computer that can, save
  https://api.msrc.microsoft.com/cvrf/v3.0/cvrf/2026-Nov   (a month's CVRF document, XML or JSON)
  https://endoflife.date/api/v1/products/windows            (and the other products)
  https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json
                                                           (with the CVRF months that fix its entries)
then import the files here. Plain or .gz. With -o the converted data file is
written there instead of being installed, to inspect or to copy to --data.`,
		Example: `  dspt-audit data import 2026-Nov.xml 2026-Dec.xml.gz
  dspt-audit data import windows.json ubuntu.json --dir D:\dspt-data
  dspt-audit data import 2026-Nov.xml -o windows-updates.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("give the documents to import: dspt-audit data import FILE...")
			}
			return nil
		},
		RunE: runE(func(_ *cobra.Command, args []string) error { return runDataImport(args, o, s) }),
	}
	f := cmd.Flags()
	o.addFlags(f, "to install into")
	f.StringVarP(&o.Output, "output", "o", "", "write the converted data `FILE` here instead of installing it (- is standard output)")
	return cmd
}

func runDataImport(files []string, o *dataImportOptions, s *streams) error {
	dir, now, err := o.resolve(s)
	if err != nil {
		return err
	}
	if err := datafeed.CheckDir(dir); err != nil {
		return usageError{err}
	}
	base, err := standards.LoadFrom(standards.Sources{Dir: dir, Now: now})
	if err != nil {
		return err
	}
	imp, err := datafeed.Import(files, base, now)
	var bad *datafeed.ImportError
	if errors.As(err, &bad) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	o.printNotes(s, imp.Notes)
	if o.Output != "" {
		return writeImported(o.Output, s, imp)
	}
	for _, kind := range imp.Unchanged {
		delete(imp.Bodies, kind)
	}
	installed, notes, err := datafeed.Install(dir, imp.Bodies, now)
	var failedCheck *datafeed.CheckError
	if errors.As(err, &failedCheck) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintf(s.Err, "dspt-audit: note: %s\n", report.Sanitize(n))
	}
	return describeInstall(s.Out, dir, installed, imp.Months)
}

func writeImported(path string, s *streams, imp datafeed.Imported) error {
	if len(imp.Bodies) > 1 { // CVRF months imported with a KEV catalogue may add no update month
		for _, kind := range imp.Unchanged {
			delete(imp.Bodies, kind)
		}
	}
	switch len(imp.Bodies) {
	case 0:
		return usagef("the documents convert to no data file: no file written")
	case 1:
	default:
		var kinds []string
		for k := range imp.Bodies {
			kinds = append(kinds, k)
		}
		return usagef("the documents convert to %d data files (%s); -o writes one: import CVRF months and endoflife.date answers separately", len(kinds), strings.Join(kinds, ", "))
	}
	for _, b := range imp.Bodies {
		return writeOutput(path, s, func(w io.Writer, _ bool) error { _, err := w.Write(b); return err })
	}
	return nil
}

type dataStatusOptions struct {
	dataFolderOptions
	Format string
}

func newDataStatusCommand(s *streams) *cobra.Command {
	o := &dataStatusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show each body of reference data: as of, source, file, age; exit 3 when the update data is stale",
		Long: `Show each body of facts a scan would use now: its date, where it came from
(built in, or a file of the data folder), and how old it is. The Windows
update data is stale when it lacks a Patch Tuesday more than 14 days past:
then this says so and exits 3, so a script or a monitoring system can alert.`,
		Args: noArgs,
		RunE: runE(func(*cobra.Command, []string) error { return runDataStatus(o, s) }),
	}
	f := cmd.Flags()
	o.addFlags(f, "to read")
	f.StringVarP(&o.Format, "format", "f", "text", "`FORMAT`: text or json")
	return cmd
}

// dataStatus is 'data status --format json': a contract for scripts.
type dataStatus struct {
	Schema     int                    `json:"schema"`
	Dir        string                 `json:"data_dir"`
	Today      standards.Date         `json:"today"`
	LastUpdate *time.Time             `json:"last_update,omitempty"`
	Bodies     []bodyStatus           `json:"data"`
	Updates    updatesStatus          `json:"windows_updates"`
	Changes    []standards.FactChange `json:"changes,omitempty"`
	Notes      []string               `json:"notes,omitempty"`
}

type bodyStatus struct {
	standards.Provenance
	AgeDays int `json:"age_days"`
}

type updatesStatus struct {
	Newest  standards.Update `json:"newest"`
	Missing *standards.Date  `json:"missing_patch_tuesday,omitempty"`
	Days    int              `json:"days_missing,omitempty"`
	Stale   bool             `json:"stale"`
	Advice  string           `json:"advice"`
}

func runDataStatus(o *dataStatusOptions, s *streams) error {
	if o.Format != "text" && o.Format != "json" {
		return usagef("--format %q is not one of text, json", o.Format)
	}
	dir, now, err := o.resolve(s)
	if err != nil {
		return err
	}
	st, err := statusOf(dir, now)
	if err != nil {
		return err
	}
	if o.Format == "json" {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		err = enc.Encode(st)
	} else {
		err = writeStatus(s, st)
	}
	if err == nil && st.Updates.Stale {
		return staleError{st.Updates.Advice}
	}
	return err
}

func statusOf(dir string, now time.Time) (dataStatus, error) {
	src := standards.Sources{Dir: dir, Now: now}
	var notes []string
	switch err := datafeed.CheckDir(dir); {
	case err != nil:
		src.Dir, notes = "", []string{err.Error() + "; it is not used"}
	case !dataDirExists(dir):
		src.Dir, notes = "", []string{fmt.Sprintf("the data folder %s does not exist: scans use the built-in data ('dspt-audit data update' creates it)", dir)}
	}
	data, err := standards.LoadFrom(src)
	if err != nil {
		return dataStatus{}, err
	}
	today := standards.DayOf(now)
	st := dataStatus{Schema: 1, Dir: dir, Today: today, Changes: data.Changes, Notes: append(notes, data.Notes...)}
	if last := datafeed.LastUpdate(dir); !last.IsZero() {
		st.LastUpdate = &last
	}
	for _, p := range data.Provenances() {
		st.Bodies = append(st.Bodies, bodyStatus{Provenance: p, AgeDays: p.AsOf.DaysUntil(today)})
	}
	updates := &data.WindowsUpdates
	st.Updates = updatesStatus{Newest: updates.NewestUpdate(), Stale: updates.Stale(today)}
	next := standards.NextPatchTuesday(st.Updates.Newest.Date)
	missing, days, behind := updates.Lag(today)
	switch {
	case !behind:
		st.Updates.Advice = fmt.Sprintf("Current: the newest monthly update in the data is from %s; the next Patch Tuesday is %s.", st.Updates.Newest.Date, next)
	case st.Updates.Stale:
		st.Updates.Missing, st.Updates.Days = &missing, days
		st.Updates.Advice = fmt.Sprintf("STALE: the Windows update data lacks the security updates of %s (%d days ago) and any released since, so patched PCs come out unknown. Run 'dspt-audit data update' (or 'data import' the months' CVRF documents).", missing, days)
	default:
		st.Updates.Missing, st.Updates.Days = &missing, days
		st.Updates.Advice = fmt.Sprintf("Behind, within the 14 days: the data lacks the updates of %s (%d days ago). Run 'dspt-audit data update' before %s.", missing, days, missing.AddDate(0, 0, 14).Format(time.DateOnly))
	}
	return st, nil
}

func writeStatus(s *streams, st dataStatus) error {
	w := s.Out
	fmt.Fprintf(w, "Data folder: %s\n", st.Dir)
	if st.LastUpdate != nil {
		fmt.Fprintf(w, "Last update: %s\n", st.LastUpdate.Local().Format("2006-01-02 15:04 MST"))
	} else {
		fmt.Fprintln(w, "Last update: never (the built-in facts are used where the folder has none newer)")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-18s %-11s %8s  %s\n", "KIND", "AS OF", "AGE", "FROM")
	for _, b := range st.Bodies {
		from := "built in"
		if b.File != "" {
			from = b.File
		}
		fmt.Fprintf(w, "%-18s %-11s %7dd  %s\n", b.Kind, b.AsOf, b.AgeDays, report.Sanitize(from))
	}
	fmt.Fprintf(w, "\nWindows updates: %s\n", st.Updates.Advice)
	for _, c := range st.Changes {
		fmt.Fprintf(w, "Changed fact: %s\n", report.Sanitize(c.String()))
	}
	for _, n := range st.Notes {
		fmt.Fprintf(w, "Note: %s\n", report.Sanitize(n))
	}
	fmt.Fprintln(w, "\nSources:")
	for _, b := range st.Bodies {
		fmt.Fprintf(w, "  %s: %s\n", b.Kind, report.Sanitize(b.Source))
	}
	return nil
}

// dataDirExists tells a data folder that is really there from a default that
// was never made.
func dataDirExists(dir string) bool {
	info, err := os.Stat(dir)
	return err == nil && info.IsDir()
}
