package main

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/declared"
	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/datafeed"
	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/schedule"
	"github.com/nhs-dspt/dspt-audit/report"
)

// checksFolder is the name of the folder of checks files inside the data
// folder (machine-wide) and beside the practice file (practice-wide).
const checksFolder = datafeed.ChecksFolder

const checksDirHelp = "also load the custom checks files (*.yaml) in `DIR`; repeatable. The data folder's checks folder and the checks folder beside the practice file are always read"

// loader loads checks folders: declared.LoadDirs, or a fake in tests.
type loader func(dirs []string, builtin []*checks.Check) *declared.Pack

// loadDirs is s's checks loader.
func (s *streams) loadDirs() loader {
	if s.loadChecks != nil {
		return s.loadChecks
	}
	return declared.LoadDirs
}

// customSources are the folders custom checks load from, in order: the
// machine-wide data folder's, the practice folder's, then each --checks-dir.
type customSources struct {
	DataDir  string   // the data folder given, or empty for the default
	Practice string   // the practice file, or empty
	Dirs     []string // --checks-dir
	// ResultsDir, when set, is the folder every PC writes: a checks folder
	// in it is never loaded, since any PC could add passing checks there.
	ResultsDir string
}

// dirs lists the folders to load and the problems of those left aside.
func (c customSources) dirs() ([]string, []declared.Problem) {
	var dirs, implicit []string
	var problems []declared.Problem
	// A data folder the scan does not use (it looks like a results folder)
	// is not trusted with checks either.
	dataDir := cmp.Or(c.DataDir, defaultDataDir())
	if err := datafeed.CheckDir(dataDir); err != nil {
		problems = append(problems, declared.Problem{Path: filepath.Join(dataDir, checksFolder), Message: err.Error()})
	} else {
		implicit = append(implicit, filepath.Join(dataDir, checksFolder))
	}
	if c.Practice != "" {
		implicit = append(implicit, filepath.Join(filepath.Dir(c.Practice), checksFolder))
	}
	for _, d := range append(implicit, c.Dirs...) {
		if err := checksDirApart(d, c.ResultsDir); err != nil {
			problems = append(problems, declared.Problem{Path: d, Message: err.Error()})
			continue
		}
		if !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return dirs, problems
}

// checksDirApart refuses a checks folder that is, or is inside, the results
// folder: any PC could add a check there that passes everywhere and lifts a
// standard on every PC.
func checksDirApart(dir, resultsDir string) error {
	if schedule.ChecksDirApart(dir, resultsDir) == nil {
		return nil
	}
	return fmt.Errorf("the checks folder %s is inside the results folder %s, which every PC can write; keep checks files where only IT can write", dir, resultsDir)
}

// missingDirs are the --checks-dir folders that are not folders: a typo
// would otherwise scan without the checks the user asked for.
func missingDirs(dirs []string) []declared.Problem {
	var out []declared.Problem
	for _, d := range dirs {
		if !dataDirExists(d) {
			out = append(out, declared.Problem{Path: d, Message: "--checks-dir is not a folder"})
		}
	}
	return out
}

// loadCustom loads the custom checks of every source. It never fails: a bad
// file or folder is a problem listed in the report.
func loadCustom(s *streams, src customSources) *declared.Pack {
	dirs, left := src.dirs()
	left = append(left, missingDirs(src.Dirs)...)
	pack := s.loadDirs()(dirs, checks.All())
	if pack == nil {
		pack = &declared.Pack{}
	}
	pack.Problems = append(left, pack.Problems...)
	keepRecordable(pack)
	return pack
}

// keepRecordable drops the loaded checks a result could not record so that
// report convert and fleet accept it (report.Recordable), or whose ID
// another check already has, each with the reason as a problem.
func keepRecordable(pack *declared.Pack) {
	seen := map[string]bool{}
	for _, c := range checks.All() {
		seen[c.ID] = true
	}
	var kept []*checks.Check
	for _, c := range pack.Checks {
		err := report.Recordable(c)
		if err == nil && seen[c.ID] {
			err = fmt.Errorf("check ID %s is taken by another check", c.ID)
		}
		if err != nil {
			pack.Problems = append(pack.Problems, declared.Problem{Path: c.Origin, ID: c.ID, Message: err.Error()})
			dropLoaded(pack.Files, c)
			continue
		}
		seen[c.ID] = true
		kept = append(kept, c)
	}
	pack.Checks = kept
}

// dropLoaded takes c off the IDs its file says it loaded.
func dropLoaded(files []declared.File, c *checks.Check) {
	for i := range files {
		if files[i].Path == c.Origin {
			if j := slices.Index(files[i].Loaded, c.ID); j >= 0 {
				files[i].Loaded = slices.Delete(slices.Clone(files[i].Loaded), j, j+1)
			}
		}
	}
}

// selectFrom narrows the built-in and loaded checks by --only and --skip. A
// custom ID that did not load is refused with the reason it did not.
func selectFrom(pack *declared.Pack, only, skip []string) ([]*checks.Check, error) {
	only, skip = lowered(only), lowered(skip)
	all := append(slices.Clone(checks.All()), pack.Checks...)
	selected, err := checks.Select(all, only, skip)
	if err == nil {
		return selected, nil
	}
	for _, id := range append(slices.Clone(only), skip...) {
		for _, p := range pack.Problems {
			if p.ID != "" && p.ID == id {
				return nil, usagef("check %s was not loaded: %s", id, p.Error())
			}
		}
	}
	for _, id := range append(slices.Clone(only), skip...) {
		if strings.HasPrefix(id, checks.CustomPrefix) && !slices.ContainsFunc(all, func(c *checks.Check) bool { return c.ID == id }) {
			return nil, usagef("%v\n(custom checks load with --checks-dir, the data folder's checks folder or the practice folder's; no checks file loaded %s)", err, id)
		}
	}
	return nil, usageError{err}
}

// customReport is what the report records of the checks files: nil when
// none was read and nothing went wrong, so that results of scans without
// custom checks stay as they were.
func customReport(pack *declared.Pack) *report.CustomChecks {
	if pack == nil || len(pack.Files) == 0 && len(pack.Problems) == 0 {
		return nil
	}
	out := &report.CustomChecks{}
	for _, f := range pack.Files {
		out.Files = append(out.Files, report.CustomFile{Path: f.Path, SHA256: f.SHA256, Loaded: slices.Clone(f.Loaded)})
	}
	for _, p := range pack.Problems {
		out.NotLoaded = append(out.NotLoaded, report.CustomProblem{Path: p.Path, Line: p.Line, ID: p.ID, Message: p.Message})
	}
	return out
}

// warnNotLoaded says on standard error which checks files or checks did not
// load, one line each, when a person is running the command.
func warnNotLoaded(s *streams, pack *declared.Pack) {
	c := customReport(pack)
	if c == nil {
		return
	}
	for _, p := range c.NotLoaded {
		fmt.Fprintf(s.Err, "dspt-audit: warning: custom check not loaded: %s\n", report.Sanitize(oneLine(p.String())))
	}
}

// sanitizedLines is text shown harmlessly on a terminal line by line:
// custom checks' titles, mappings and fixes come from files outside the
// binary.
func sanitizedLines(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = report.Sanitize(l)
	}
	return strings.Join(lines, "\n")
}
