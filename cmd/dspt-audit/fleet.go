package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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
	Trust     string
	TrustNew  bool
	Retire    []string
	Register  bool
	Practice  string
	Trend     bool
	Period    string
	Since     string
}

func newFleetCommand(s *streams) *cobra.Command {
	o := &fleetOptions{}
	cmd := &cobra.Command{
		Use:   "fleet DIR|FILE...",
		Short: "Roll up every PC's results into one practice report",
		Long: `Read every scan result (HOST.json, as the nightly task, 'schedule run',
writes and signs them) in the folders given, keep the newest per host, and
report the whole practice: each host's outcome and age, how many hosts pass or fail each
check, and the share of hosts meeting each NDG standard with a
practice-level outcome and the rule that reached it.

Results from older versions of dspt-audit are read; files that are not
results (corrupt, cut short, another program's, a newer schema) are listed
as skipped with the reason and never stop the roll-up. Hosts whose newest
result is older than --stale-days are flagged.

Only results signed by the key pinned for their host in the trust store
(--trust) are counted. Unsigned results (older versions, manual scans),
badly signed ones, and ones signed by another key than the host's are
named on the first page with the reason and not counted: a folder of
'scan -f json' results rolls up as "not assessed" with every file listed. A host seen for
the first time is listed as new; --trust-new pins its key and counts it.
--retire HOST retires a replaced or renamed PC's pin: its results up to then
still count in the trend, it is no longer expected, and its name is free
for the new PC's key.

For more hosts than a spreadsheet holds, --format ocsf writes every host's
findings as OCSF events (one JSON object per line) for a SIEM.

--register writes the digital asset register (DSPT 7.1.1) instead: one row
per device from its newest result (model, serial number, firmware, CPU,
memory, disks, TPM, encryption, OS support, last seen, stale), with the
location and owner from the practice file; as .xlsx it adds a Software
sheet (each product and version, on how many devices, supported or not)
and the practice file's other assets. The fleet workbook (.xlsx) holds the
same sheets.

--trend reads every result and compact history under the folders (history/
included: 'schedule run' keeps about 400 days per PC in
history/HOST.HOSTID.history.jsonl; a record counts only when signed with
the key the trust store pins for its host) and shows the practice over time, per --period
(month or week): the practice outcome and each standard's share of hosts
meeting it, how many hosts got better or worse, and every check fixed since
--since, with its date. A renamed PC stays one series (by host ID); a
replaced PC starts a new one. As text or JSON it writes the trend alone; the
workbook gets a Trend sheet with a line chart and the page a Trend section.`,
		Example: `  dspt-audit fleet \\server\share\dspt -o practice.xlsx
  dspt-audit fleet /srv/dspt/site-a /srv/dspt/site-b --format html -o practice.html
  dspt-audit fleet --recursive /srv/dspt --format ocsf -o fleet.ndjson
  dspt-audit fleet \\server\share\dspt --register -o register.xlsx
  dspt-audit fleet \\server\share\dspt --trend --since 2026-06-01
  dspt-audit fleet \\server\share\dspt --trend --period week -o practice.xlsx`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && len(o.Retire) == 0 {
				return usagef("%s needs at least one folder (or file) of results", cmd.CommandPath())
			}
			return nil
		},
		RunE: runE(func(cmd *cobra.Command, args []string) error { return runFleet(cmd, args, o, s) }),
	}
	o.outputOptions.AddFlags(cmd.Flags())
	cmd.Flags().IntVar(&o.StaleDays, "stale-days", int(fleet.DefaultStaleAfter.Hours()/24), "flag hosts whose newest result is older than `N` days")
	cmd.Flags().BoolVarP(&o.Recursive, "recursive", "r", false, "also read the folders inside each folder (history/ included)")
	cmd.Flags().StringVar(&o.Trust, "trust", "", "the trust store: each host's pinned public key (default "+defaultTrustHint()+"; never inside a results folder)")
	cmd.Flags().BoolVar(&o.TrustNew, "trust-new", false, "pin the key of each host seen for the first time and count its results (check the new hosts listed first)")
	cmd.Flags().StringArrayVar(&o.Retire, "retire", nil, "retire the trust store's `HOST` (name or host ID): a replaced or renamed PC; its results up to now still count in the trend, where its series ends, and its name is free for the new PC's key (--trust-new)")
	cmd.Flags().BoolVar(&o.Register, "register", false, "write the digital asset register (DSPT 7.1.1) instead of the roll-up: -o register.xlsx or register.csv")
	cmd.Flags().StringVar(&o.Practice, "practice", "", "the practice file `FILE`: attestations, accepted risks and asset notes for the roll-up; a broken one is a warning and the roll-up goes on without it")
	cmd.Flags().BoolVar(&o.Trend, "trend", false, "show the practice over time from every result and history under the folders")
	cmd.Flags().StringVar(&o.Period, "period", string(fleet.Month), "the trend's `PERIOD`: month or week")
	cmd.Flags().StringVar(&o.Since, "since", "", "with --trend, list the checks fixed since this `DATE` (YYYY-MM-DD; default: the whole history)")
	cmd.Flags().StringVar(&o.Now, "now", "", "testing aid: judge staleness as if it were this `TIME`; also DSPT_AUDIT_NOW")
	return cmd
}

func runFleet(cmd *cobra.Command, paths []string, o *fleetOptions, s *streams) error {
	format, err := pickFormat(&o.outputOptions, s, fleet.Formats())
	if err != nil {
		return err
	}
	if o.Register && format != "xlsx" && format != "csv" {
		return usagef("--register writes .xlsx or .csv, not %s: give -o register.xlsx or register.csv", format)
	}
	if err := inRange("stale-days", o.StaleDays, 1, maxStaleDays); err != nil {
		return err
	}
	topts, err := trendOptions(o, format)
	if err != nil {
		return err
	}
	now, err := nowFrom(o.Now, s)
	if err != nil {
		return err
	}
	if today := cmp.Or(now, time.Now()); topts.Since.After(today) {
		return usagef("--since %s is in the future (today is %s): give a day up to today", o.Since, today.UTC().Format(time.DateOnly))
	}
	data, err := standards.Load()
	if err != nil {
		return err
	}
	opts := fleet.Options{
		Tool: tool(), Now: now,
		StaleAfter: time.Duration(o.StaleDays) * 24 * time.Hour, Recursive: o.Recursive, Standards: data.NDG.Standards,
		Practice: fleetPractice(o.Practice, data, now, s),
	}
	trustPath, err := trustStorePath(o.Trust, paths, s)
	if err != nil {
		return usageError{err}
	}
	if opts.Trust, err = fleet.LoadTrust(trustPath); err != nil {
		return usageError{err}
	}
	opts.Trust.AcceptNew = o.TrustNew
	if len(o.Retire) > 0 {
		if err := retirePins(opts.Trust, trustPath, o.Retire, now, s); err != nil || len(paths) == 0 {
			return err
		}
	}
	bar := newProgressBar(s, "Reading results")
	opts.Progress = bar.Update
	roll, err := fleet.Read(cmd.Context(), paths, opts)
	bar.Clear()
	if err != nil {
		return usageError{err}
	}
	if roll.FilesSeen == 0 {
		return noResultsFound(paths, o.Recursive)
	}
	if len(roll.Pinned) > 0 {
		if err := saveTrust(opts.Trust, trustPath); err != nil {
			return err
		}
		fmt.Fprintf(s.Err, "Trusted %d new %s: their keys are pinned in %s.\n", len(roll.Pinned), plural(len(roll.Pinned), "host", "hosts"), trustPath)
	}
	listed := len(roll.Skipped)
	render := fleetRenderer(format, roll, s)
	if o.Register || format == "xlsx" {
		roll.Register = fleet.BuildRegister(roll, opts.Practice, data.Software.Products)
		for _, sk := range roll.Register.Skipped {
			fmt.Fprintf(s.Err, "%s: %s\n", sk.Path, sk.Reason)
		}
	}
	if o.Register {
		render = registerRenderer(format, roll.Register)
	}
	if o.Trend && len(roll.Hosts) == 0 {
		// An empty trend says nothing of why: say what the roll-up would.
		fleet.NotCounted(s.Err, roll)
		return nothingTrusted(roll)
	}
	if o.Trend {
		if roll.Trend, err = fleet.ReadTrend(cmd.Context(), paths, opts, topts); err != nil {
			return usageError{err}
		}
		if format == "text" || format == "json" {
			render = trendRenderer(format, roll.Trend, s)
		}
	}
	if err := writeOutput(o.Output, s, render); err != nil {
		return err
	}
	for _, sk := range roll.Skipped[listed:] { // results that changed before the OCSF events were written
		fmt.Fprintf(s.Err, "%s: %s\n", sk.Path, sk.Reason)
	}
	if len(roll.Hosts) == 0 {
		return nothingTrusted(roll)
	}
	if s.ErrTTY && !toStdout(o.Output) {
		fmt.Fprintf(s.Err, "%d hosts (%s) from %d results written to %s; %d files skipped.\n",
			len(roll.Hosts), roll.Outcome, roll.ResultsRead, o.Output, len(roll.Skipped))
	}
	return nil
}

func nothingTrusted(roll *fleet.Rollup) error {
	msg := fmt.Sprintf("no trusted scan results found in %d files (%d skipped, %d not counted, each listed with its reason)", roll.FilesSeen, len(roll.Skipped), len(roll.Untrusted))
	if n := roll.NewHosts(); n > 0 {
		msg += fmt.Sprintf(": %d %s from machines not yet trusted; check their key IDs against what 'schedule install' printed on each PC, then accept them with 'fleet --trust-new'", n, plural(n, "is", "are"))
	}
	return errors.New(msg)
}

// retirePins retires the hosts named and keeps the trust store.
func retirePins(t *fleet.Trust, path string, hosts []string, now time.Time, s *streams) error {
	at := now
	if at.IsZero() {
		at = time.Now()
	}
	var done []fleet.Pin
	for _, h := range hosts {
		pins := t.Retire(h, at)
		if len(pins) == 0 {
			return usagef("--retire %s: no host of that name or host ID is pinned in the trust store %s", h, path)
		}
		done = append(done, pins...)
	}
	if err := saveTrust(t, path); err != nil {
		return err
	}
	for _, p := range done {
		fmt.Fprintf(s.Err, "Retired %s (host ID %s, key %s) as of %s: its results until then still count in the trend, where its series ends; the name is free for a new PC (fleet --trust-new).\n",
			report.Sanitize(p.HostName), report.Sanitize(p.HostID), p.KeyID, p.RetiredAt.Format(time.RFC3339))
	}
	return nil
}

// trendOptions checks the trend's flags: --period and --since need
// --trend, which writes text, JSON, a workbook or a page.
func trendOptions(o *fleetOptions, format string) (fleet.TrendOptions, error) {
	topts := fleet.TrendOptions{Period: fleet.Period(o.Period)}
	if !o.Trend {
		if o.Since != "" || o.Period != string(fleet.Month) {
			return topts, usagef("--since and --period shape the trend: add --trend")
		}
		return topts, nil
	}
	switch {
	case o.Register:
		return topts, usagef("--trend and --register write different things: run them one at a time")
	case topts.Period != fleet.Month && topts.Period != fleet.Week:
		return topts, usagef("--period is month or week, not %q", o.Period)
	case format != "text" && format != "json" && format != "xlsx" && format != "html":
		return topts, usagef("--trend writes text, json, xlsx or html, not %s", format)
	}
	if o.Since != "" {
		d, err := standards.ParseDate(o.Since)
		if err != nil {
			return topts, usagef("--since %q is not a date (YYYY-MM-DD)", o.Since)
		}
		topts.Since = d.Time
	}
	return topts, nil
}

func trendRenderer(format string, t *fleet.Trend, s *streams) func(w io.Writer, tty bool) error {
	return func(w io.Writer, tty bool) error {
		if format == "json" {
			return fleet.TrendJSON(w, t)
		}
		return fleet.TrendText(w, t, tty && !s.NoColor)
	}
}

func registerRenderer(format string, reg *fleet.Register) func(w io.Writer, tty bool) error {
	return func(w io.Writer, _ bool) error {
		if format == "csv" {
			return fleet.RegisterCSV(w, reg)
		}
		return fleet.RegisterXLSX(w, reg)
	}
}

func fleetRenderer(format string, roll *fleet.Rollup, s *streams) func(w io.Writer, tty bool) error {
	return renderer(fleet.Formats(), format, roll, func(w io.Writer, tty bool) error {
		return fleet.Terminal(w, roll, fleet.TerminalOptions{Color: tty && !s.NoColor})
	})
}

// trustStorePath is the trust store to use: --trust, or the default in the
// user's own settings folder. The results folder is where every PC can
// write, so a trust store inside one of the folders rolled up is refused:
// any PC could pin its own key for every host.
func trustStorePath(flag string, sources []string, s *streams) (string, error) {
	path := flag
	if path == "" {
		dir := defaultTrustDir(s)
		if dir == "" {
			return "", errors.New("no settings folder to keep the trust store in: give --trust FILE")
		}
		path = filepath.Join(dir, "dspt-audit", "trust.json")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	// A link could lead into a results folder whatever its own path says.
	if info, err := os.Lstat(abs); err == nil && !info.Mode().IsRegular() {
		return "", fmt.Errorf("the trust store %s is %s, not a regular file: give the file itself (--trust FILE)", path, report.DescribeMode(info.Mode()))
	}
	real := resolved(abs)
	for _, src := range sources {
		dir, err := filepath.Abs(src)
		if err != nil {
			continue
		}
		if info, err := os.Stat(dir); err == nil && !info.IsDir() {
			dir = filepath.Dir(dir)
		}
		if within(abs, dir) || within(real, resolved(dir)) {
			return "", fmt.Errorf("the trust store %s is inside %s, a results folder every PC can write: keep it where only you can (--trust FILE)", path, src)
		}
	}
	return abs, nil
}

// resolved is path with every link in it followed, as far as it exists:
// the trust file may not exist yet, its folder does.
func resolved(path string) string {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		return r
	}
	if r, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		return filepath.Join(r, filepath.Base(path))
	}
	return path
}

// within says whether path is inside dir, comparing as the OS does.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	if runtime.GOOS == "windows" {
		rel, err = filepath.Rel(strings.ToLower(dir), strings.ToLower(path))
	}
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// defaultTrustDir is the user's settings folder: %AppData% on Windows,
// $XDG_CONFIG_HOME or ~/.config elsewhere.
func defaultTrustDir(s *streams) string {
	if runtime.GOOS == "windows" {
		return s.Getenv("APPDATA")
	}
	if dir := s.Getenv("XDG_CONFIG_HOME"); dir != "" {
		return dir
	}
	if home := s.Getenv("HOME"); home != "" {
		return filepath.Join(home, ".config")
	}
	return ""
}

func defaultTrustHint() string {
	if runtime.GOOS == "windows" {
		return `%AppData%\dspt-audit\trust.json`
	}
	return "~/.config/dspt-audit/trust.json"
}

// saveTrust writes the trust store, making its folder private to the user
// who rolls up.
func saveTrust(t *fleet.Trust, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("cannot keep the trust store: %w", err)
	}
	if err := t.Save(path); err != nil {
		return fmt.Errorf("cannot keep the trust store: %w", err)
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
