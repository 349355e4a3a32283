package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/datafeed"
	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/schedule"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/sign"
	"github.com/nhs-dspt/dspt-audit/standards"
)

func newScheduleCommand(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Run the scan every night, unattended, into a results folder",
		Long: `Set up, inspect or remove the nightly scan: a Task Scheduler task running as
SYSTEM on Windows, a systemd service and timer running as root on Linux.
Each run writes HOST.json into the results folder (usually a share that
'dspt-audit fleet' rolls up), keeps the last N results in history/, and
writes one summary event (source dspt-audit) to the Application event log
on Windows, or the journal on Linux.`,
		Args: noArgs,
	}
	cmd.AddCommand(newScheduleInstallCommand(s), newScheduleStatusCommand(s), newScheduleRemoveCommand(s), newScheduleRunCommand(s))
	return cmd
}

type installOptions struct {
	Daily       string
	ResultsDir  string
	DataDir     string
	Practice    string
	UpdateData  bool
	Keep        int
	RandomDelay time.Duration
	Print       bool
	Force       bool
	ChecksDirs  []string

	exe string // the program the task runs; tests set it
}

func newScheduleInstallCommand(s *streams) *cobra.Command {
	o := &installOptions{}
	cmd := &cobra.Command{
		Use:   "install --daily HH:MM --results-dir DIR",
		Short: "Install the nightly scan (needs an elevated prompt, or root)",
		Long: `Install the nightly scan of this machine. On Windows: the task
\dspt-audit\nightly-scan, as SYSTEM with highest privileges, registered from
an XML definition with schtasks, plus the event source dspt-audit. On Linux:
/etc/systemd/system/dspt-audit.service and .timer, enabled.

The task runs this executable, by its full path in quotes: install a copy in
C:\Program Files\dspt-audit\ (or /usr/local/bin) first, where only
administrators can change it. Install refuses a program that anyone else
could change, or that sits in a folder anyone else could change (owner
other than root, or SYSTEM, Administrators or TrustedInstaller; write
access for others), unless --force. On a share, the task writes as the computer
account (DOMAIN\PC$): give "Domain Computers" write access to the folder.`,
		Example: `  dspt-audit schedule install --daily 02:00 --results-dir \\server\share\dspt
  dspt-audit schedule install --daily 01:30 --results-dir /srv/dspt --keep 14
  dspt-audit schedule install --daily 02:00 --results-dir /srv/dspt --print`,
		Args: noArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error { return runInstall(o, s) }),
	}
	f := cmd.Flags()
	f.StringVar(&o.Daily, "daily", "", "run every day at this local `HH:MM` (required)")
	f.StringVar(&o.ResultsDir, "results-dir", "", "folder or share each run writes HOST.json to (required; absolute or UNC `DIR`)")
	f.IntVar(&o.Keep, "keep", schedule.DefaultKeep, "keep the last `N` results per host in DIR/history (0: none)")
	f.DurationVar(&o.RandomDelay, "random-delay", schedule.DefaultRandomDelay, "start up to this long after --daily, at random, so a practice's PCs do not write at once")
	f.BoolVar(&o.Print, "print", false, "print the task XML (Windows) or systemd units (Linux) instead of installing them")
	f.StringVar(&o.DataDir, "data-dir", "", "reference data folder each run reads, such as a read-only share IT keeps current (default "+defaultDataDir()+")")
	f.StringVar(&o.Practice, "practice", "", "the practice `FILE` each run reads (absolute or UNC, such as \\\\server\\dspt-admin\\practice.yaml); best kept where only IT can write")
	f.BoolVar(&o.Force, "force", false, "install even though users other than administrators (root) could change this program or a folder above it")
	f.BoolVar(&o.UpdateData, "update-data", false, "refresh the data folder from Microsoft and endoflife.date before each scan (needs internet access as SYSTEM; a failed refresh is event 201 and the scan goes on)")
	f.StringArrayVar(&o.ChecksDirs, "checks-dir", nil, "a folder of custom checks files each run loads (absolute or UNC `DIR`, never inside --results-dir); repeatable")
	return cmd
}

func runInstall(o *installOptions, s *streams) error {
	if o.Daily == "" {
		return usagef("--daily is required: the local time of day to scan, such as 02:00")
	}
	hour, minute, err := schedule.ParseDaily(o.Daily)
	if err != nil {
		return usageError{err}
	}
	exe := o.exe
	if exe == "" {
		if exe, err = executablePath(); err != nil {
			return err
		}
	}
	if info, err := os.Stat(o.DataDir); o.DataDir != "" && err == nil && !info.IsDir() {
		return usagef("--data-dir %s is a file: give the folder 'dspt-audit data update --dir' writes", o.DataDir)
	}
	plan := schedule.Plan{Exe: exe, Hour: hour, Minute: minute, RandomDelay: o.RandomDelay, ResultsDir: o.ResultsDir, Keep: o.Keep, DataDir: o.DataDir, Practice: o.Practice, UpdateData: o.UpdateData, ChecksDirs: o.ChecksDirs}
	if err := plan.Validate(schedule.Absolute); err != nil {
		return usageError{err}
	}
	if missing := missingDirs(o.ChecksDirs); len(missing) > 0 {
		return usagef("--checks-dir %s is not a folder: give the folder of custom checks files each run loads", missing[0].Path)
	}
	if warning := practiceInResults(o.Practice, o.ResultsDir); warning != "" {
		fmt.Fprintf(s.Err, "dspt-audit: warning: %s\n", warning)
	}
	if checks := filepath.Join(cmp.Or(o.DataDir, defaultDataDir()), checksFolder); schedule.ChecksDirApart(checks, o.ResultsDir) != nil {
		fmt.Fprintf(s.Err, "dspt-audit: warning: the data folder's checks folder %s leads into the results folder, which every PC can write: it is not loaded; keep it where only IT can write\n", checks)
	}
	if o.Print {
		def, err := schedule.Definition(plan)
		if err != nil {
			return err
		}
		// Printed definitions are installed by hand: say what install refuses.
		if problem := schedule.ExeProblem(exe); problem != nil {
			fmt.Fprintf(s.Err, "dspt-audit: warning: %s\n", oneLine(problem.Error()))
		}
		_, err = io.WriteString(s.Out, def)
		return err
	}
	keyID := ""
	// Unelevated, Install fails first and says so.
	if schedule.Elevated() {
		if err := refuseUnsafeExe(exe, o.Force, s.Err); err != nil {
			return err
		}
		if keyID, err = installKey(s); err != nil {
			return err
		}
	}
	if err := schedule.Install(plan); err != nil {
		return err
	}
	fmt.Fprintf(s.Out, "Installed: a scan every day at %02d:%02d (starting up to %s later), writing to %s, keeping %d results per host.\n",
		hour, minute, o.RandomDelay, o.ResultsDir, o.Keep)
	fmt.Fprintf(s.Out, "Results are signed with key %s: 'dspt-audit fleet --trust-new' shows it when it first sees this PC.\n", keyID)
	fmt.Fprintln(s.Out, "Check it with: dspt-audit schedule status")
	return nil
}

// installKey makes sure the machine has its signing key, keeping the one a
// previous install made, and returns its key ID.
func installKey(s *streams) (string, error) {
	dir := schedule.KeyDir(schedule.StateDir())
	key, created, err := schedule.EnsureKey(dir)
	if err != nil {
		return "", fmt.Errorf("not installed: %w", err)
	}
	if created {
		fmt.Fprintf(s.Out, "Created this PC's signing key in %s.\n", dir)
	}
	return sign.KeyID(key.Public().(ed25519.PublicKey)), nil
}

// refuseUnsafeExe is a usage error when users other than administrators
// could change exe, unless force, which turns it into a warning.
func refuseUnsafeExe(exe string, force bool, warn io.Writer) error {
	err := schedule.ExeProblem(exe)
	if err == nil {
		return nil
	}
	if !force {
		return usageError{err}
	}
	fmt.Fprintf(warn, "dspt-audit: warning: --force: %s\n", oneLine(err.Error()))
	return nil
}

// executablePath is this program's full path, links resolved, for the task
// to run.
func executablePath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot tell where this program is: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	return filepath.Abs(exe)
}

func newScheduleStatusCommand(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the nightly scan: its command, last and next run, and last result",
		Args:  noArgs,
		RunE:  runE(func(*cobra.Command, []string) error { return runStatus(s) }),
	}
}

func runStatus(s *streams) error {
	st, err := schedule.Query()
	if err != nil {
		return err
	}
	never := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.Format("2006-01-02 15:04 MST")
	}
	state := "disabled"
	if st.Enabled {
		state = "enabled"
	}
	if st.State != "" {
		state += ", " + st.State
	}
	// The task's fields and the kept result come from outside this run.
	p := func(label, value string) { fmt.Fprintf(s.Out, "%-13s %s\n", label, report.Sanitize(value)) }
	p("Schedule:", fmt.Sprintf("%s (%s)", st.Name, state))
	p("Runs:", st.Schedule)
	p("Command:", st.Command)
	p("Last run:", never(st.LastRun))
	if st.LastResult != "" {
		p("Exit code:", st.LastResult)
	}
	p("Next run:", never(st.NextRun))
	p("Last result:", lastResult())
	return nil
}

// lastResult describes the newest result a scheduled run kept locally.
func lastResult() string {
	host, _ := os.Hostname()
	var path string
	var f *os.File
	for _, name := range schedule.FileNames(host) { // the current name, then the earlier one
		path = filepath.Join(schedule.StateDir(), name)
		if opened, err := os.Open(path); err == nil {
			f = opened
			break
		}
	}
	if f == nil {
		return "none kept yet in " + schedule.StateDir()
	}
	defer f.Close()
	rep, err := report.Read(f)
	if err != nil {
		return fmt.Sprintf("%s: %v", path, err)
	}
	return fmt.Sprintf("%s, scanned %s (%s)", rep.Outcome, rep.ScannedAt.Local().Format("2006-01-02 15:04"), path)
}

func newScheduleRemoveCommand(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "remove",
		Short: "Remove the nightly scan (needs an elevated prompt, or root); results are kept",
		Args:  noArgs,
		RunE: runE(func(*cobra.Command, []string) error {
			if err := schedule.Remove(); err != nil {
				return err
			}
			fmt.Fprintln(s.Out, "Removed the nightly scan. Results already written are kept.")
			return nil
		}),
	}
}

type runOptions struct {
	ResultsDir string
	DataDir    string
	Practice   string
	UpdateData bool
	Keep       int
	StateDir   string
	From       string
	Now        string
	ChecksDirs []string
}

func newScheduleRunCommand(s *streams) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run --results-dir DIR",
		Short: "What the nightly task runs: scan, write HOST.json, log one event",
		Long: `Scan this machine and write the result as HOST.json into the results folder
(atomically: a reader never sees half a file), a copy into history/HOST/
keeping the last --keep, a copy in the local state folder (so a share that
is down loses nothing), and one signed record for the run in the compact
history (about 1.5 KB a run, 400 days kept): the state folder keeps this
machine's own, and history/HOST.HOSTID.history.jsonl, what 'fleet --trend'
reads, is rewritten from it (not with --keep 0). Then write one event: ID 100 Standards Met,
101 Approaching, 102 Not Met, 103 nothing assessable, 200 the scan or a
write failed; before them, 201 when --update-data could not refresh the
reference data (the scan goes on with the data it has); after them, 104 when
checks regressed or newly fail since this machine's previous result (the
state folder's copy first), which the result records as "previous", and 202
when the compact history could not be kept. Never prompts and never colours. Exit
code 0: result written, Standards Met; 3: result written, standards not met; 1: failed.`,
		Args: noArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error { return runScheduled(cmd.Context(), o, s) }),
	}
	f := cmd.Flags()
	f.StringVar(&o.ResultsDir, "results-dir", "", "folder or share to write HOST.json to (required)")
	f.IntVar(&o.Keep, "keep", schedule.DefaultKeep, "keep the last `N` results per host in DIR/history (0: none)")
	f.StringVar(&o.StateDir, "state-dir", "", "local folder for this machine's own copy (default: "+schedule.StateDir()+")")
	f.StringVar(&o.DataDir, "data-dir", "", "reference data folder to read (default "+defaultDataDir()+")")
	f.StringVar(&o.Practice, "practice", "", practiceFlagHelp)
	f.BoolVar(&o.UpdateData, "update-data", false, "refresh the data folder from the vendors first; a failure is event 201 and the scan goes on")
	f.StringArrayVar(&o.ChecksDirs, "checks-dir", nil, "also load the custom checks files in `DIR` (never inside --results-dir); repeatable")
	f.StringVar(&o.From, "from", "", "testing aid: judge this snapshot `FILE` instead of this machine")
	f.StringVar(&o.Now, "now", "", "testing aid: judge as if it were this `TIME`; also DSPT_AUDIT_NOW")
	_ = f.MarkHidden("from")
	_ = f.MarkHidden("now")
	return cmd
}

// runScheduled is the unattended run. Whatever happens, it ends with one
// event saying so.
func runScheduled(ctx context.Context, o *runOptions, s *streams) error {
	if o.ResultsDir == "" {
		return usagef("--results-dir is required")
	}
	if err := inRange("keep", o.Keep, 0, schedule.MaxKeep); err != nil {
		return err
	}
	if err := schedule.FolderProblem("--results-dir", o.ResultsDir, schedule.Absolute); err != nil {
		return usageError{err}
	}
	if err := schedule.DataDirApart(o.DataDir, o.ResultsDir); err != nil {
		return usageError{err}
	}
	for _, d := range o.ChecksDirs {
		if err := schedule.ChecksDirApart(d, o.ResultsDir); err != nil {
			return usageError{err}
		}
	}
	host, _ := os.Hostname()
	if o.UpdateData {
		refreshData(ctx, o, s, host)
	}
	rep, rejudge, err := scheduledScan(ctx, o, s)
	if err != nil {
		return logged(s, schedule.FailedEvent(host, err), err)
	}
	stateDir := cmp.Or(o.StateDir, schedule.StateDir())
	keyDir := schedule.KeyDir(stateDir)
	shareDir := ""
	if resultsFolderMissing(o.ResultsDir) == nil {
		shareDir = o.ResultsDir
	}
	changes := comparePrevious(stateDir, shareDir, keyDir, rep, rejudge)
	body, key, signErr := signedResult(rep, keyDir)
	write := func(w io.Writer) error { _, err := w.Write(body); return err }
	local, localErr := schedule.WriteResult(stateDir, rep.Host.Name, rep.ScannedAt, 0, write)
	path, err := "", resultsFolderMissing(o.ResultsDir)
	if err == nil {
		path, err = schedule.WriteResult(o.ResultsDir, rep.Host.Name, rep.ScannedAt, o.Keep, write)
	}
	historyShare := ""
	if err == nil && o.Keep > 0 {
		historyShare = o.ResultsDir
	}
	histErr := recordHistory(stateDir, historyShare, rep, body, key, s)
	if err = errors.Join(err, localErr, signErr); err != nil {
		if path == "" && local != "" {
			err = fmt.Errorf("%w (the result is kept in %s)", err, local)
		}
		if histErr != nil {
			err = fmt.Errorf("%w; and the compact history: %w", err, histErr)
		}
		return logged(s, schedule.FailedEvent(rep.Host.Name, err), err)
	}
	var failing []string
	for _, r := range rep.Results {
		if r.Status == standards.Fail {
			failing = append(failing, r.ID)
		}
	}
	event := schedule.OutcomeEvent(rep.Host.Name, rep.Outcome, rep.Score, failing, path)
	if rep.Outcome == standards.Met {
		err = logged(s, event, nil)
	} else {
		err = logged(s, event, findingsError{fmt.Sprintf("%s: %s", rep.Host.Name, rep.Outcome)})
	}
	if changes != nil && changes.Worse() {
		logged(s, schedule.RegressionEvent(rep.Host.Name, changes.Old.ScannedAt, rep.ScannedAt, rep.Outcome == standards.NotAssessed,
			changes.Regressed(), changes.NewFailures(), path), nil)
	}
	if histErr != nil {
		// The outcome and the regression are written first, and the exit
		// code is the outcome's: a history problem never hides them.
		logged(s, schedule.HistoryEvent(rep.Host.Name, histErr), nil)
	}
	return err
}

// resultsFolderMissing refuses a results folder that is not there: made
// anew, a mistyped share name would swallow every result unnoticed.
func resultsFolderMissing(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("the results folder %s does not exist: create it (or correct the share's name); nothing was written there", dir)
	case err != nil:
		return fmt.Errorf("cannot reach the results folder %s: %w", dir, pathless(err))
	case !info.IsDir():
		return fmt.Errorf("the results folder %s is not a folder", dir)
	}
	return nil
}

// signedResult is the result as JSON, signed with the machine's key. A key
// that cannot be had leaves the result unsigned, and says why: the result is
// still worth keeping, but the roll-up will not count it.
func signedResult(rep *report.Report, keyDir string) ([]byte, ed25519.PrivateKey, error) {
	var b bytes.Buffer
	if err := report.JSON(&b, rep); err != nil {
		return nil, nil, err
	}
	key, _, err := schedule.EnsureKey(keyDir)
	if err == nil {
		var signed []byte
		if signed, err = sign.Append(b.Bytes(), key, rep.Host.ID); err == nil {
			return signed, key, nil
		}
	}
	return b.Bytes(), nil, fmt.Errorf("result written unsigned (the roll-up will not count it): %w", err)
}

// refreshData updates the data folder before the scan. A failure is one
// event and changes nothing: the scan goes on with the data it has.
func refreshData(ctx context.Context, o *runOptions, s *streams, host string) {
	dir := cmp.Or(o.DataDir, defaultDataDir())
	err := datafeed.CheckDir(dir)
	if err == nil {
		f := datafeed.NewFetcher(s.Getenv, "dspt-audit/"+version())
		_, err = datafeed.Update(ctx, f, datafeed.Options{Dir: dir, MSRC: cmp.Or(s.Getenv("DSPT_AUDIT_MSRC_URL"), datafeed.MSRCBase),
			EndOfLife: cmp.Or(s.Getenv("DSPT_AUDIT_ENDOFLIFE_URL"), datafeed.EndOfLifeBase), Now: time.Now()})
	}
	if err != nil {
		logged(s, schedule.DataFailedEvent(host, err), nil)
	}
}

// scheduledScan scans and judges. rejudge judges an earlier result of the
// machine again as this one was judged: this build's scoring rule, and the
// same practice file.
func scheduledScan(ctx context.Context, o *runOptions, s *streams) (rep *report.Report, rejudge func(*report.Report) error, err error) {
	eo := engineOptions{ProbeTimeout: probe.DefaultTimeout, Now: o.Now, DataDir: o.DataDir, ChecksDirs: o.ChecksDirs, unattended: true}
	data, now, err := eo.prepare(s)
	if err != nil {
		return nil, nil, err
	}
	pack, err := eo.loadCustom(s, o.Practice, o.ResultsDir)
	if err != nil {
		return nil, nil, err
	}
	src, clock, source, err := scanSource(o.From)
	if err != nil {
		return nil, nil, err
	}
	if err := notBeforeSnapshot(nowName(o.Now), now, collectedAt(clock)); err != nil {
		return nil, nil, err
	}
	practice := readPractice(o.Practice, data, now)
	scan, err := checks.Run(ctx, src, checks.Options{Checks: append(checks.All(), pack.Checks...), Data: data, ProbeTimeout: eo.ProbeTimeout, Now: now, Clock: clock,
		RecordLastUser: eo.RecordLastUser || practice.recordLastUser()})
	if err != nil {
		return nil, nil, err
	}
	if source == "live" {
		source = "scheduled"
	}
	rep = report.Build(scan, data, tool(), source)
	rep.CustomChecks = customReport(pack)
	practice.apply(rep, now)
	rejudge = func(earlier *report.Report) error {
		if _, err := report.Rescore(earlier, data.NDG.Standards); err != nil {
			return err
		}
		practice.apply(earlier, now)
		return nil
	}
	return rep, rejudge, nil
}

// logged writes the run's event and returns the run's error; an event log
// that cannot be written is said on standard error, without changing the
// exit code the run earned. Every event names the release that wrote it.
func logged(s *streams, e schedule.Event, err error) error {
	e.Message += " (dspt-audit " + report.Sanitize(version()) + ")"
	if lerr := schedule.Log(s.Out, e); lerr != nil {
		fmt.Fprintf(s.Err, "dspt-audit: could not write event %d: %s\n", e.ID, report.Sanitize(lerr.Error()))
	}
	return err
}
