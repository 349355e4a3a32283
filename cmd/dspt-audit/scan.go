package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/declared"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/datafeed"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// engineOptions are the flags every command that runs the checks shares.
type engineOptions struct {
	DataFiles    []string
	DataDir      string
	ProbeTimeout time.Duration
	Now          string
	Only, Skip   []string
	// unattended makes a data folder that cannot be read a note in the
	// report rather than an error: the nightly run must not stop for it.
	unattended bool
	// RecordLastUser makes the scan read the last logged-on user for the
	// asset register: set from the practice file (record_last_user), never
	// on by default.
	RecordLastUser bool
	// ChecksDirs are the --checks-dir folders of custom checks files.
	ChecksDirs []string
}

func (o *engineOptions) AddFlags(f *pflag.FlagSet) {
	f.StringArrayVar(&o.DataFiles, "data", nil, "reference data `FILE` (as 'data import -o' writes) to use instead of the built-in copy and the data folder's; repeatable")
	f.StringVar(&o.DataDir, "data-dir", "", "data folder kept by 'dspt-audit data update' (default "+defaultDataDir()+", when it exists)")
	f.DurationVar(&o.ProbeTimeout, "probe-timeout", probe.DefaultTimeout, "how long one probe (a registry read, a WMI query, a command) may take before it is reported as timed out")
	f.StringSliceVar(&o.Only, "only", nil, "run only these check `IDS` (comma-separated; see `dspt-audit checks`)")
	f.StringSliceVar(&o.Skip, "skip", nil, "leave out these check `IDS` (comma-separated)")
	f.StringVar(&o.Now, "now", "", "testing aid: judge as if it were this `TIME` (YYYY-MM-DD or RFC 3339) instead of now; also DSPT_AUDIT_NOW")
	f.StringArrayVar(&o.ChecksDirs, "checks-dir", nil, checksDirHelp)
}

// prepare validates the shared flags and loads the reference data.
func (o *engineOptions) prepare(s *streams) (*standards.Data, time.Time, error) {
	if err := inRange("probe-timeout", o.ProbeTimeout, time.Millisecond, maxProbeTimeout); err != nil {
		return nil, time.Time{}, err
	}
	now, err := nowFrom(o.Now, s)
	if err != nil {
		return nil, time.Time{}, err
	}
	data, err := o.loadData()
	if err != nil {
		return nil, time.Time{}, err
	}
	return data, now, nil
}

// loadData reads the built-in facts, the data folder's newer ones and the
// --data files. A data folder that cannot be used is a note in the report,
// never a stopped scan; a --data file that cannot be used is an error.
func (o *engineOptions) loadData() (*standards.Data, error) {
	dir := o.DataDir
	if dir == "" && dataDirExists(defaultDataDir()) {
		dir = defaultDataDir()
	}
	var notes []string
	if o.DataDir != "" && !dataDirExists(o.DataDir) {
		if !o.unattended {
			return nil, usagef("--data-dir %s is not a folder: give the folder 'dspt-audit data update --dir' writes", o.DataDir)
		}
		notes = append(notes, fmt.Sprintf("the data folder %s could not be read, so the built-in data was used", o.DataDir))
		dir = ""
	}
	if dir != "" {
		if err := datafeed.CheckDir(dir); err != nil {
			if o.DataDir != "" && !o.unattended {
				return nil, usageError{err}
			}
			notes = append(notes, err.Error()+"; it is not used")
			dir = ""
		}
	}
	data, err := standards.LoadFrom(standards.Sources{Dir: dir, Files: o.DataFiles})
	if err != nil {
		return nil, usageError{err}
	}
	data.Notes = append(notes, data.Notes...)
	return data, nil
}

// loadCustom loads the custom checks of the data folder, the practice
// folder (practice is the practice file, or empty) and --checks-dir. A
// --checks-dir that is not a folder is an error unless unattended; a bad
// checks file never is.
func (o *engineOptions) loadCustom(s *streams, practice, resultsDir string) (*declared.Pack, error) {
	if missing := missingDirs(o.ChecksDirs); len(missing) > 0 && !o.unattended {
		return nil, usagef("--checks-dir %s is not a folder: give the folder that holds the checks files", missing[0].Path)
	}
	return loadCustom(s, customSources{DataDir: o.DataDir, Practice: practice, Dirs: o.ChecksDirs, ResultsDir: resultsDir}), nil
}

// selectChecks is the catalogue and the loaded custom checks, narrowed by
// --only and --skip.
func (o *engineOptions) selectChecks(pack *declared.Pack) ([]*checks.Check, error) {
	return selectFrom(pack, o.Only, o.Skip)
}

// nowFrom is the time to judge at: --now, else DSPT_AUDIT_NOW, else the
// zero time (the real clock, or the snapshot's). An error names whichever
// of the two was given.
func nowFrom(flag string, s *streams) (time.Time, error) {
	if flag != "" {
		return parseNow(nowName(flag), flag)
	}
	return parseNow(nowName(flag), s.Getenv("DSPT_AUDIT_NOW"))
}

// nowName names where the judging time came from: --now or the variable.
func nowName(flag string) string {
	if flag != "" {
		return "--now"
	}
	return "DSPT_AUDIT_NOW"
}

// nowForms says the forms --now takes, as a person writes them.
const nowForms = "YYYY-MM-DD, or a date and time such as 2026-11-27T09:30:00Z (RFC 3339)"

func parseNow(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usagef("%s %q is not a date: give %s", name, s, nowForms)
}

// notBeforeSnapshot refuses to judge a snapshot at a time before it was
// collected: the machine was not seen then, so every verdict would be made
// up (patches current in 1999).
func notBeforeSnapshot(name string, now, collected time.Time) error {
	if now.IsZero() || collected.IsZero() || !now.Before(collected) {
		return nil
	}
	return usagef("%s %s is before the snapshot was collected (%s): judge it at or after that time",
		name, now.UTC().Format(time.RFC3339), collected.UTC().Format(time.RFC3339))
}

// formatNames lists the formats: the terminal view, then the files.
func formatNames[T any](formats []report.Format[T]) []string {
	names := []string{"text"}
	for _, f := range formats {
		names = append(names, f.Name)
	}
	return names
}

// formatExts lists the extensions that choose a format, .txt first.
func formatExts[T any](formats []report.Format[T]) []string {
	exts := []string{".txt"}
	for _, f := range formats {
		exts = append(exts, f.Exts...)
	}
	return exts
}

// isDevice says whether path is a device such as /dev/null or NUL, which
// takes the terminal text whatever its name.
func isDevice(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode()&os.ModeDevice != 0
}

// lowered is ids in lower case: check IDs are, and a user may type them
// as a report shows them.
func lowered(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strings.ToLower(strings.TrimSpace(id))
	}
	return out
}

// formatHelp describes --format. The roll-up's formats carry the report's
// names (TestFleetFormatsMatchTheReports), so one text serves both.
func formatHelp() string {
	return "report `FORMAT`: " + strings.Join(formatNames(report.Formats()), ", ") + " (default: what the -o file's extension says, else text)"
}

// outputOptions are the flags of every command that writes a report.
type outputOptions struct {
	Format string
	Output string
}

func (o *outputOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVarP(&o.Format, "format", "f", "", formatHelp())
	f.StringVarP(&o.Output, "output", "o", "", "write the report to `FILE` (atomically; - is standard output)")
}

// pickFormat settles the format among formats: --format if given, else the
// output file's extension (.txt or none: text; one no format has: refused),
// else text. A binary format is refused on a terminal, and an output that
// could not be written is refused before anything is scanned.
func pickFormat[T any](o *outputOptions, s *streams, formats []report.Format[T]) (string, error) {
	format, output := strings.ToLower(o.Format), o.Output
	names := formatNames(formats)
	if format == "" {
		format = "text"
		if f, ok := report.FormatForPath(formats, output); ok {
			format = f.Name
		} else if ext := filepath.Ext(output); !toStdout(output) && ext != "" && !strings.EqualFold(ext, ".txt") && !isDevice(output) {
			return "", usagef("-o %s: no report format is written as %s; give a file ending in %s, or --format (%s)",
				output, ext, strings.Join(formatExts(formats), ", "), strings.Join(names, ", "))
		}
	}
	if !slices.Contains(names, format) {
		return "", usagef("--format %q is not one of %s", format, strings.Join(names, ", "))
	}
	if f, ok := report.LookupFormat(formats, format); ok && f.Binary && toStdout(output) && s.OutTTY {
		return "", usagef("--format %s is a binary file: give -o FILE (or redirect the output)", format)
	}
	return format, checkOutputPath(output)
}

// renderer writes v in a format, or through terminal for the text view.
// tty tells terminal whether a person is reading it live.
func renderer[T any](formats []report.Format[T], format string, v T, terminal func(w io.Writer, tty bool) error) func(w io.Writer, tty bool) error {
	return func(w io.Writer, tty bool) error {
		if f, ok := report.LookupFormat(formats, format); ok {
			return f.Write(w, v)
		}
		return terminal(w, tty)
	}
}

// reportRenderer writes one machine's report.
func reportRenderer(format string, rep *report.Report, s *streams, view viewOptions) func(w io.Writer, tty bool) error {
	return renderer(report.Formats(), format, rep, func(w io.Writer, tty bool) error {
		return report.Terminal(w, rep, report.TerminalOptions{Color: tty && !s.NoColor, Width: terminalWidth(tty), Summary: view.Summary})
	})
}

type scanOptions struct {
	engineOptions
	outputOptions
	viewOptions
	From     string
	FailOn   string
	Practice string
}

func newScanCommand(s *streams) *cobra.Command {
	o := &scanOptions{}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Scan this machine (or a recorded snapshot) and report",
		Long: `Scan this machine, judge every check against the NHS data security standards
and write a report: a readable summary (coloured on a terminal), JSON, an
Excel workbook, a self-contained HTML page, CSV, or OCSF events for a SIEM.

With --from, judge a snapshot written by 'dspt-audit collect' instead, on any
OS; verdicts are for the moment it was collected unless --now says otherwise.

Custom checks load first from the checks folder in the data folder, the one
beside the --practice file, and each --checks-dir; the report names their
files with their SHA-256, and lists any file or check that did not load.`,
		Example: `  dspt-audit scan
  dspt-audit scan --format json -o report.json
  dspt-audit scan -o practice-pc1.xlsx
  dspt-audit scan --from snapshot.json --fail-on high`,
		Args: noArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error { return runScan(cmd, o, s) }),
	}
	o.engineOptions.AddFlags(cmd.Flags())
	o.outputOptions.AddFlags(cmd.Flags())
	o.viewOptions.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&o.From, "from", "", "judge a recorded snapshot `FILE` instead of this machine")
	cmd.Flags().StringVar(&o.Practice, "practice", "", practiceFlagHelp)
	cmd.Flags().StringVar(&o.FailOn, "fail-on", "", "exit 3 when a check fails at or above this `SEVERITY` (low, medium, high, critical)")
	return cmd
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}

func runScan(cmd *cobra.Command, o *scanOptions, s *streams) error {
	format, err := pickFormat(&o.outputOptions, s, report.Formats())
	if err != nil {
		return err
	}
	if err := o.viewOptions.validate(format); err != nil {
		return err
	}
	var failOn standards.Severity
	if o.FailOn != "" {
		if failOn, err = standards.ParseSeverity(o.FailOn); err != nil {
			return usagef("--fail-on: %v", err)
		}
	}
	data, now, err := o.prepare(s)
	if err != nil {
		return err
	}
	pack, err := o.loadCustom(s, o.Practice, "")
	if err != nil {
		return err
	}
	selected, err := o.selectChecks(pack)
	if err != nil {
		return err
	}
	src, clock, source, err := scanSource(o.From)
	if err != nil {
		return err
	}
	if err := notBeforeSnapshot(nowName(o.Now), now, collectedAt(clock)); err != nil {
		return err
	}
	practice := readPractice(o.Practice, data, now)
	scan, err := checks.Run(cmd.Context(), src, checks.Options{
		Checks: selected, Data: data, ProbeTimeout: o.ProbeTimeout, Now: now, Clock: clock,
		RecordLastUser: o.RecordLastUser || practice.recordLastUser(),
	})
	if err != nil {
		return err
	}
	rep := report.Build(scan, data, tool(), source)
	rep.CustomChecks = customReport(pack)
	practice.apply(rep, now)
	warnNotLoaded(s, pack)
	rep.GeneratedAt = cmp.Or(now, time.Now()).UTC()
	if err := writeOutput(o.Output, s, reportRenderer(format, rep, s, o.viewOptions)); err != nil {
		return err
	}
	saidWhere(s, o.Output, rep)
	return failOnFindings(rep, failOn)
}

// scanSource picks the live machine, or a snapshot and its collection time.
func scanSource(from string) (probe.Source, func() time.Time, string, error) {
	if from == "" {
		return probe.Live{}, nil, "live", nil
	}
	snap, err := readSnapshotFile(from)
	if err != nil {
		return nil, nil, "", err
	}
	return probe.NewReplay(snap), func() time.Time { return snap.CollectedAt }, "snapshot " + filepath.Base(from), nil
}

// collectedAt is when a snapshot was collected, or the zero time for a
// live scan.
func collectedAt(clock func() time.Time) time.Time {
	if clock == nil {
		return time.Time{}
	}
	return clock()
}

func readSnapshotFile(path string) (*probe.Snapshot, error) {
	b, err := readInput(path, "snapshot", maxSnapshotSize)
	if err != nil {
		return nil, err
	}
	if err := wrongKind(path, b, report.Snapshot); err != nil {
		return nil, err
	}
	snap, err := probe.ReadSnapshot(bytes.NewReader(b))
	if err != nil {
		return nil, usagef("%s: %v", path, err)
	}
	return snap, nil
}

// writeOutput writes to standard output (no -o, or -o -), or where -o
// points: a file atomically, a device or a pipe straight. tty tells the
// writer whether a person is reading it live.
func writeOutput(path string, s *streams, write func(w io.Writer, tty bool) error) error {
	if toStdout(path) {
		return write(s.Out, s.OutTTY)
	}
	return report.WriteOutput(path, func(w io.Writer) error { return write(w, false) })
}

// toStdout says whether -o path means standard output.
func toStdout(path string) bool { return path == "" || path == "-" }

func failOnFindings(rep *report.Report, threshold standards.Severity) error {
	if threshold == 0 {
		return nil
	}
	var ids []string
	for _, r := range rep.Results {
		if r.Status == standards.Fail && r.Severity >= threshold {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return findingsError{fmt.Sprintf("%d check(s) failed at or above %s: %s", len(ids), threshold, strings.Join(ids, ", "))}
}
