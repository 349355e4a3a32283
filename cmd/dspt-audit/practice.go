package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/schedule"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
	"github.com/nhs-dspt/dspt-audit/standards/practice"
)

const practiceFlagHelp = "the practice file `FILE` ('dspt-audit practice init' writes one): attestations, accepted risks, asset notes; a missing or broken file is reported, never stops the scan"

func newPracticeCommand(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "practice",
		Short: "Start, fill in and check the practice file (answers no scan can see)",
		Long: `The practice file holds what a practice says that no scan of a PC can
see: its answers to the toolkit's people-and-process items (who answered,
where the evidence is, when it was reviewed and is next due), the risks it
has accepted (a failing check on named PCs, who approved it, until when),
and notes for the asset register (where each PC is, who owns it, and the
servers, network devices and data sets no scan sees).

It is a YAML file: 'practice init' writes a commented one, 'practice answer'
fills it in through a form in the terminal, 'practice check' validates it.
Give it to 'scan', 'fleet' and 'schedule install' with --practice FILE.`,
		Args: noArgs,
	}
	cmd.AddCommand(newPracticeInitCommand(s), newPracticeCheckCommand(s), newPracticeAnswerCommand(s))
	return cmd
}

type practiceInitOptions struct {
	Output string
	Force  bool
}

func newPracticeInitCommand(s *streams) *cobra.Command {
	o := &practiceInitOptions{}
	cmd := &cobra.Command{
		Use:   "init [-o FILE]",
		Short: "Write a commented practice file to fill in",
		Long: `Write a practice file with an empty entry for every toolkit item a person
answers (the items no scan evidences strongly), each with its question in
plain words and its marks (* mandatory for Standards Met, GP IT usually
evidenced by the GP IT team), and commented examples of an accepted risk, a
host note and an asset. An existing file is never overwritten without --force.`,
		Example: `  dspt-audit practice init -o practice.yaml
  dspt-audit practice answer practice.yaml`,
		Args: noArgs,
		RunE: runE(func(*cobra.Command, []string) error { return runPracticeInit(o, s) }),
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "practice.yaml", "write the practice file to `FILE`")
	cmd.Flags().BoolVar(&o.Force, "force", false, "replace an existing file (its answers are lost)")
	return cmd
}

func runPracticeInit(o *practiceInitOptions, s *streams) error {
	if _, err := os.Lstat(o.Output); err == nil && !o.Force {
		return usagef("%s already exists: fill it in with 'dspt-audit practice answer %s', or give --force to replace it", o.Output, o.Output)
	}
	data, err := (&engineOptions{}).loadData()
	if err != nil {
		return err
	}
	err = report.WriteFileAtomic(o.Output, func(w io.Writer) error { return practice.Write(w, practice.Blank(&data.DSPT), &data.DSPT) })
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Out, "Wrote %s: %d items to answer. Next: dspt-audit practice answer %s\n", o.Output, len(practice.Blank(&data.DSPT).Attestations), o.Output)
	return nil
}

type practiceCheckOptions struct{ Now string }

func newPracticeCheckCommand(s *streams) *cobra.Command {
	o := &practiceCheckOptions{}
	cmd := &cobra.Command{
		Use:   "check FILE",
		Short: "Validate a practice file and summarise it",
		Long: `Read a practice file strictly and say the first thing wrong with it, with its
line (exit 2), or summarise it: how many items are answered, which answers
are past their next review, and each accepted risk with the days it has
left. An accepted risk already past its expiry is an error here (renew it
or remove it); a scan still reads such a file and counts the risk as expired.`,
		Example: `  dspt-audit practice check practice.yaml`,
		Args:    cobra.ExactArgs(1),
		RunE:    runE(func(_ *cobra.Command, args []string) error { return runPracticeCheck(args[0], o, s) }),
	}
	cmd.Flags().StringVar(&o.Now, "now", "", "testing aid: check as if it were this `TIME`; also DSPT_AUDIT_NOW")
	return cmd
}

func runPracticeCheck(file string, o *practiceCheckOptions, s *streams) error {
	now, err := practiceNow(o.Now, s)
	if err != nil {
		return err
	}
	data, err := (&engineOptions{}).loadData()
	if err != nil {
		return err
	}
	p, err := loadPractice(file, data, now, true)
	if err != nil {
		return usageError{err}
	}
	writePracticeSummary(s.Out, file, p, &data.DSPT, now)
	return nil
}

// practiceNow is --now or DSPT_AUDIT_NOW, else the present.
func practiceNow(flag string, s *streams) (time.Time, error) {
	now, err := nowFrom(flag, s)
	if err != nil || !now.IsZero() {
		return now, err
	}
	return time.Now(), nil
}

func writePracticeSummary(w io.Writer, file string, p *standards.Practice, items *standards.DSPTItemFile, now time.Time) {
	name := cmp.Or(p.Name, "(no name yet)")
	if p.ODS != "" {
		name += " (" + p.ODS + ")"
	}
	fmt.Fprintf(w, "%s: %s\n", file, name)
	var answered, mandatory, mandatoryAnswered int
	var expired []string
	for _, a := range p.Attestations {
		it, _ := items.Item(a.Item)
		if it.Mandatory {
			mandatory++
		}
		if a.Expired(now) {
			expired = append(expired, fmt.Sprintf("%s (due %s)", a.Item, a.NextReview))
			continue
		}
		if a.Answered() {
			answered++
			if it.Mandatory {
				mandatoryAnswered++
			}
		}
	}
	fmt.Fprintf(w, "Items answered and in date: %d of %d (mandatory: %d of %d)\n", answered, len(p.Attestations), mandatoryAnswered, mandatory)
	if len(expired) > 0 {
		fmt.Fprintf(w, "Past their next review (they do not count): %s\n", strings.Join(expired, ", "))
	}
	fmt.Fprintf(w, "Accepted risks: %d\n", len(p.Risks))
	today := standards.DayOf(now)
	for _, r := range p.Risks {
		left := today.DaysUntil(r.Expires)
		state := fmt.Sprintf("%d days left", left)
		if r.Expired(now) {
			state = "expired: counts as an ordinary failure"
		}
		fmt.Fprintf(w, "  %s on %s: until %s (%s), approved by %s\n", r.Check, strings.Join(r.Hosts, ", "), r.Expires, state, r.ApprovedBy)
	}
	fmt.Fprintf(w, "Host notes: %d; other assets: %d\n", len(p.Hosts), len(p.Assets))
}

// checkIDs are the IDs of every check, for the accepted risks to name.
func checkIDs() []string {
	var ids []string
	for _, c := range checks.All() {
		ids = append(ids, c.ID)
	}
	return ids
}

// loadPractice reads and checks a practice file. refuseExpired is for a
// person at the keyboard; a scan loads an expired risk and counts it so.
func loadPractice(file string, data *standards.Data, now time.Time, refuseExpired bool) (*standards.Practice, error) {
	b, err := readPracticeFile(file)
	if err != nil {
		return nil, err
	}
	p, err := practice.Parse(b, practice.Options{Items: &data.DSPT, Checks: checkIDs(), RefuseExpired: refuseExpired, Now: now})
	if err != nil {
		if kind := report.IdentifyFile(b); !slices.Contains([]report.FileKind{report.TextFile, report.OtherJSON, report.BrokenJSON, report.EmptyFile}, kind) {
			return nil, fmt.Errorf("%s is %s, not a practice file ('dspt-audit practice init' starts one)", file, kind)
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	p.File = file
	return p, nil
}

// readPracticeFile reads a regular file of at most practice.MaxSize bytes;
// a device or a pipe is refused without being read.
func readPracticeFile(file string) ([]byte, error) {
	if runtime.GOOS == "windows" && report.IsWindowsDeviceName(filepath.Base(file)) {
		return nil, fmt.Errorf("practice file %s is a device, not a regular file", file)
	}
	f, err := openNoBlock(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("practice file %s does not exist ('dspt-audit practice init -o %s' starts one)", file, file)
		}
		return nil, fmt.Errorf("cannot read practice file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read practice file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("practice file %s is %s, not a regular file", file, report.DescribeMode(info.Mode()))
	}
	tooLarge := fmt.Errorf("practice file %s is larger than %d MiB, too large for a practice file", file, practice.MaxSize>>20)
	if info.Size() > practice.MaxSize {
		return nil, tooLarge
	}
	b, err := io.ReadAll(io.LimitReader(f, practice.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read practice file: %w", err)
	}
	if len(b) > practice.MaxSize {
		return nil, tooLarge
	}
	return b, nil
}

// practiceRead is a practice file read before the scan: what it asks the
// scan to record (the last logged-on user) must be known before the machine
// is read. A missing or broken file never stops a scan; the report says why
// it was not used.
type practiceRead struct {
	file string
	p    *standards.Practice
	err  error
}

func readPractice(file string, data *standards.Data, now time.Time) practiceRead {
	if file == "" {
		return practiceRead{}
	}
	p, err := loadPractice(file, data, cmp.Or(now, time.Now()), false)
	return practiceRead{file: file, p: p, err: err}
}

// recordLastUser is what the practice file says of the register's last
// logged-on user column: off unless it asks.
func (r practiceRead) recordLastUser() bool { return r.p != nil && r.p.RecordLastUser }

func (r practiceRead) apply(rep *report.Report, now time.Time) {
	if now.IsZero() {
		now = rep.ScannedAt
	}
	report.ApplyPractice(rep, r.file, r.p, r.err, now)
}

// fleetPractice is the practice file for the roll-up; a broken one is a
// warning and the roll-up goes on without it.
func fleetPractice(file string, data *standards.Data, now time.Time, s *streams) *standards.Practice {
	if file == "" {
		return nil
	}
	if now.IsZero() {
		now = time.Now()
	}
	p, err := loadPractice(file, data, now, false)
	if err != nil {
		fmt.Fprintf(s.Err, "dspt-audit: warning: the practice file is not used: %s\n", report.Sanitize(oneLine(err.Error())))
		return nil
	}
	return p
}

// practiceInResults warns when the practice file sits where every PC can
// write: any PC could then accept risks for all of them.
func practiceInResults(file, resultsDir string) string {
	if file == "" {
		return ""
	}
	if schedule.DataDirApart(file, resultsDir) == nil {
		if checks := filepath.Join(filepath.Dir(file), checksFolder); schedule.ChecksDirApart(checks, resultsDir) != nil {
			return fmt.Sprintf("the checks folder %s beside the practice file leads into the results folder, which every PC can write: it is not loaded; keep it where only IT can write", checks)
		}
		return ""
	}
	return fmt.Sprintf("the practice file %s is inside the results folder, which every PC can write: any PC could change its accepted risks (and the checks folder beside it is not loaded); keep it where only IT can write", file)
}
