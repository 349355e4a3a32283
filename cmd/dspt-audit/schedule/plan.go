// Package schedule sets up the nightly scan every practice PC runs with
// nobody watching: a Task Scheduler task on Windows, a systemd service and
// timer on Linux. It also writes each run's result into the results folder
// (HOST.json plus the last N in history/) and says what event a run
// reports. The definitions are built as text here, so tests prove them on
// any OS; only installing them touches the machine.
package schedule

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Names of what is installed.
const (
	TaskFolder = `\dspt-audit`
	TaskName   = `nightly-scan`
	TaskPath   = TaskFolder + `\` + TaskName
	UnitName   = "dspt-audit" // dspt-audit.service and dspt-audit.timer
	// SystemSID is LocalSystem's well-known SID: the task's principal,
	// named by SID so that no localised account name is involved.
	SystemSID = "S-1-5-18"
)

// Defaults of the schedule.
const (
	DefaultKeep        = 7
	MaxKeep            = 1000 // results per host in history/
	DefaultRandomDelay = time.Hour
	// RunTimeLimit stops a run that hangs; a scan takes seconds.
	RunTimeLimit = time.Hour
)

// Plan is what to install: when the scan runs and where it writes.
type Plan struct {
	// Exe is the absolute path of the dspt-audit executable to run.
	Exe string
	// Hour and Minute are the local time of day the run starts.
	Hour, Minute int
	// RandomDelay spreads the PCs of a practice over this long after the
	// start, so that fifty PCs do not write to the share at once.
	RandomDelay time.Duration
	// ResultsDir is the folder (often a share) HOST.json is written to.
	ResultsDir string
	// Keep is how many results per host history/ keeps; 0 keeps none.
	Keep int
	// DataDir is the reference data folder the run reads; empty for the
	// machine-wide default.
	DataDir string
	// Practice is the practice file each run reads; empty for none.
	Practice string
	// UpdateData makes each run refresh DataDir from the vendors first.
	UpdateData bool
	// ChecksDirs are folders of custom checks files each run loads, beside
	// the data folder's and the practice folder's checks folders.
	ChecksDirs []string
}

// ParseDaily reads a time of day such as "02:00".
func ParseDaily(s string) (hour, minute int, err error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, fmt.Errorf("--daily %q is not a time of day such as 02:00 (24-hour HH:MM)", s)
	}
	return t.Hour(), t.Minute(), nil
}

// Validate says what is wrong with the plan, if anything.
func (p Plan) Validate(absolute func(string) bool) error {
	switch {
	case p.Exe == "" || !absolute(p.Exe):
		return fmt.Errorf("the executable path %q is not absolute", p.Exe)
	case strings.TrimSpace(p.ResultsDir) == "":
		return errors.New("--results-dir is required: the folder (or share) each PC writes HOST.json to")
	case !absolute(p.ResultsDir):
		return FolderProblem("--results-dir", p.ResultsDir, absolute)
	case p.Keep < 0 || p.Keep > MaxKeep:
		return fmt.Errorf("--keep must be between 0 and %d, got %d", MaxKeep, p.Keep)
	case p.RandomDelay < 0 || p.RandomDelay > 12*time.Hour:
		return fmt.Errorf("--random-delay must be between 0 and 12h, got %s", p.RandomDelay)
	case p.Hour < 0 || p.Hour > 23 || p.Minute < 0 || p.Minute > 59:
		return fmt.Errorf("the time of day %02d:%02d is not valid", p.Hour, p.Minute)
	case p.DataDir != "" && !absolute(p.DataDir):
		return FolderProblem("--data-dir", p.DataDir, absolute)
	case p.Practice != "" && !absolute(p.Practice):
		return FolderProblem("--practice", p.Practice, absolute)
	}
	for _, d := range p.ChecksDirs {
		if err := FolderProblem("--checks-dir", d, absolute); err != nil {
			return err
		}
		if err := ChecksDirApart(d, p.ResultsDir); err != nil {
			return err
		}
	}
	return DataDirApart(p.DataDir, p.ResultsDir)
}

// ChecksDirApart refuses a checks folder that is, or is inside, the results
// folder: every PC can write there, so any PC could add a check that passes
// everywhere and lifts a standard on every PC.
func ChecksDirApart(checksDir, resultsDir string) error {
	if checksDir == "" || resultsDir == "" || !inside(checksDir, resultsDir) {
		return nil
	}
	return fmt.Errorf("--checks-dir %s is the results folder %s or inside it, which every PC can write: keep checks files in a folder only IT can write", checksDir, resultsDir)
}

// inside reports whether path is dir or inside it, once both are resolved
// (links followed as far as the path exists) and spelt as Windows compares
// them. Folders reached only through a mapped drive or DFS are compared as
// spelt: this machine may not see where they lead.
func inside(path, dir string) bool {
	p, d := Comparable(resolved(path)), Comparable(resolved(dir))
	return p == d || strings.HasPrefix(p, strings.TrimSuffix(d, "/")+"/")
}

// resolved is p with every link on it followed, as far as p exists: the
// part that does not exist yet is joined on unchanged. A path this OS cannot
// resolve (a Windows path on Linux) is returned as given.
func resolved(p string) string {
	if !filepath.IsAbs(p) && WindowsAbs(p) {
		return p
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	rest := ""
	for cur := abs; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// Comparable spells a path the way Windows compares folders, so that two
// spellings of one folder are equal: slashes for backslashes, lower case,
// the \\?\ and \\?\UNC\ prefixes taken off, doubled separators, "." and
// ".." and a trailing separator cleaned away. A UNC share keeps its leading
// "//". It does not touch the file system.
func Comparable(p string) string {
	p = strings.ToLower(strings.ReplaceAll(p, `\`, "/"))
	for _, prefix := range []string{"//?/unc/", "//./unc/", "/??/unc/"} {
		if strings.HasPrefix(p, prefix) {
			p = "//" + p[len(prefix):]
		}
	}
	for _, prefix := range []string{"//?/", "//./", "/??/"} {
		if strings.HasPrefix(p, prefix) {
			p = p[len(prefix):]
		}
	}
	if strings.HasPrefix(p, "//") {
		return "/" + path.Clean(p[1:])
	}
	return path.Clean(p)
}

// FolderProblem says why dir, given to flag, is not a folder the scheduled
// run can be told to use under the path rule absolute, or nil: it must be
// absolute, since the task does not run in the current folder, and a
// Windows path (a UNC share, C:\...) means nothing to Linux.
func FolderProblem(flag, dir string, absolute func(string) bool) error {
	if absolute(dir) {
		return nil
	}
	windows := WindowsAbs(dir)
	switch {
	case windows && absolute("/"):
		return fmt.Errorf("%s %s is a Windows path: UNC shares (\\\\server\\share) and drive letters are for Windows; on Linux mount the share and give its mount point, such as /mnt/dspt", flag, dir)
	case absolute("/"):
		return fmt.Errorf("%s %s must be an absolute path, such as /srv/dspt: the scheduled run does not start in this folder", flag, dir)
	}
	return fmt.Errorf("%s %s must be an absolute path or a UNC share (\\\\server\\share\\dspt): the scheduled run does not start in this folder", flag, dir)
}

// DataDirApart refuses a data folder that is, or is inside, the results
// folder: every PC can write there, so any PC could rewrite the facts every
// other PC is judged by.
func DataDirApart(dataDir, resultsDir string) error {
	if dataDir == "" || resultsDir == "" {
		return nil
	}
	if inside(dataDir, resultsDir) {
		return fmt.Errorf("--data-dir %s is the results folder %s or inside it, which every PC can write: keep the data in a folder only IT can write", dataDir, resultsDir)
	}
	return nil
}

// WindowsAbs reports whether a path is absolute on Windows: a drive path
// (C:\...) or a UNC share (\\server\share\...). filepath.IsAbs answers for
// the OS the tests run on, so it cannot be used for a Windows plan there.
func WindowsAbs(p string) bool {
	if strings.HasPrefix(p, `\\`) && len(p) > 2 {
		return true
	}
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') && isLetter(p[0])
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// LinuxAbs reports whether a path is absolute on Linux.
func LinuxAbs(p string) bool { return strings.HasPrefix(p, "/") && filepath.Clean(p) != "" }

// RunArgs are the arguments the scheduled run is started with.
func (p Plan) RunArgs() []string {
	args := []string{"schedule", "run", "--results-dir", p.ResultsDir, "--keep", fmt.Sprint(p.Keep)}
	if p.DataDir != "" {
		args = append(args, "--data-dir", p.DataDir)
	}
	if p.Practice != "" {
		args = append(args, "--practice", p.Practice)
	}
	if p.UpdateData {
		args = append(args, "--update-data")
	}
	for _, d := range p.ChecksDirs {
		args = append(args, "--checks-dir", d)
	}
	return args
}
