package datafeed

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// stateFile records what an update fetched, beside the data files.
const stateFile = "feed-state.json"

// ChecksFolder is the folder of custom checks files inside the data
// folder: kept by IT with the data, never touched by an update.
const ChecksFolder = "checks"

// CheckDir refuses a folder that holds anything but reference data: the
// data folder must never be the results folder every PC can write to, or
// any PC could rewrite the facts every other PC is judged by.
func CheckDir(dir string) error {
	if dir == "" {
		return errors.New("no data folder given")
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot read the data folder: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || ours(name) || e.IsDir() && strings.EqualFold(name, ChecksFolder) {
			continue
		}
		if e.IsDir() || strings.EqualFold(filepath.Ext(name), ".json") {
			return fmt.Errorf("%s holds %s, which is not reference data: give a data folder holding only what 'dspt-audit data' writes, one only IT can write (never the results folder every PC writes to)", dir, name)
		}
	}
	return nil
}

func ours(name string) bool {
	return name == stateFile || slices.Contains(standards.Kinds, strings.TrimSuffix(name, ".json"))
}

// CheckError is converted data that did not pass the checks a scan would
// make of it: the documents were bad, not the tool.
type CheckError struct{ Err error }

func (e *CheckError) Error() string {
	return "the converted data did not pass its checks, so nothing was installed: " + e.Err.Error()
}
func (e *CheckError) Unwrap() error { return e.Err }

// Install checks the data files together with the facts they join, then
// writes each into dir atomically. Nothing is written unless every file
// passes. A file no newer than the built-in facts is not installed (a scan
// would pass it over); the notes say so.
func Install(dir string, bodies map[string][]byte, now time.Time) (installed, notes []string, err error) {
	if len(bodies) == 0 {
		return nil, nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("cannot create the data folder: %w", err)
	}
	staging, err := os.MkdirTemp(dir, ".staging-")
	if err != nil {
		return nil, nil, fmt.Errorf("cannot write to the data folder: %w", err)
	}
	defer removeTree(staging)
	kinds := sortedKinds(bodies)
	var staged []string
	for _, kind := range kinds {
		file := filepath.Join(staging, kind+".json")
		if err := os.WriteFile(file, bodies[kind], 0o644); err != nil {
			return nil, nil, fmt.Errorf("cannot write to the data folder: %w", err)
		}
		staged = append(staged, file)
	}
	if _, err := standards.LoadFrom(standards.Sources{Files: staged, Now: now}); err != nil {
		// Name the kind, not the staging file the user never sees.
		return nil, nil, &CheckError{errors.New(strings.ReplaceAll(err.Error(), staging+string(filepath.Separator), ""))}
	}
	builtIn, err := standards.LoadFrom(standards.Sources{Now: now})
	if err != nil {
		return nil, nil, err
	}
	for _, kind := range kinds {
		v, _ := standards.DecodeDataFile(bodies[kind]) // passed just above
		if was := builtIn.Provenance(kind).AsOf; !v.Meta().AsOf.After(was.Time) {
			notes = append(notes, fmt.Sprintf("%s (as of %s) is no newer than the built-in data (as of %s), which scans already use: not installed", kind, v.Meta().AsOf, was))
			continue
		}
		path := filepath.Join(dir, kind+".json")
		if err := report.WriteFileAtomic(path, write(bodies[kind])); err != nil {
			return installed, notes, err
		}
		installed = append(installed, path)
	}
	return installed, notes, nil
}

func sortedKinds(bodies map[string][]byte) []string {
	var kinds []string
	for _, k := range standards.Kinds {
		if _, ok := bodies[k]; ok {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

func write(b []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}
}

// feedState is what earlier updates fetched.
type feedState struct {
	Schema     int                  `json:"schema"`
	LastUpdate time.Time            `json:"last_update,omitzero"`
	Months     map[string]time.Time `json:"msrc_months"`
	// KEVMonths names, per CVE of the KEV catalogue looked up, the CVRF
	// month that holds it; "" when the API names none.
	KEVMonths map[string]string `json:"kev_cve_months,omitempty"`
}

// readState returns the record of earlier updates; a missing or unreadable
// one is an empty record, which only means more is fetched.
func readState(dir string) feedState {
	st := feedState{Schema: 1, Months: map[string]time.Time{}, KEVMonths: map[string]string{}}
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil || len(b) > 1<<20 {
		return st
	}
	var read feedState
	if json.Unmarshal(b, &read) != nil || read.Schema != 1 {
		return st
	}
	for id, t := range read.Months {
		if monthID.MatchString(id) {
			st.Months[id] = t
		}
	}
	for cve, id := range read.KEVMonths {
		if kevCVE.MatchString(cve) && (id == "" || monthID.MatchString(id)) {
			st.KEVMonths[cve] = id
		}
	}
	st.LastUpdate = read.LastUpdate
	return st
}

func writeState(dir string, st feedState) error {
	b, err := json.MarshalIndent(st, "", " ")
	if err != nil {
		return err
	}
	return report.WriteFileAtomic(filepath.Join(dir, stateFile), write(append(b, '\n')))
}

// LastUpdate is when an update last installed data into dir; zero if never.
func LastUpdate(dir string) time.Time { return readState(dir).LastUpdate }

// removeTree removes a folder file by file, deepest first. os.RemoveAll
// would do, except under Wine 8, where Go's way of deleting (through
// FileDispositionInformationEx) is not implemented.
func removeTree(dir string) {
	var paths []string
	filepath.WalkDir(dir, func(p string, _ fs.DirEntry, _ error) error {
		paths = append(paths, p)
		return nil
	})
	for i := len(paths) - 1; i >= 0; i-- {
		os.Remove(paths[i])
	}
}
