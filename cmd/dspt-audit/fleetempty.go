package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// noResultsFound says that the folders given held no result files at all,
// and, when the roll-up did not look inside subfolders and some hold
// results, where they are and that --recursive reads them.
func noResultsFound(paths []string, recursive bool) error {
	msg := fmt.Sprintf("no results found in %s: no .json files", strings.Join(paths, ", "))
	if !recursive {
		if sub := subfolderWithResults(paths); sub != "" {
			return fmt.Errorf("%s (%s holds some: add --recursive to read subfolders)", msg, sub)
		}
	}
	return errors.New(msg + " (the nightly run writes HOST.json there; see 'dspt-audit schedule --help')")
}

// subfolderWithResults is the first folder below one of paths holding a
// .json file, or "".
func subfolderWithResults(paths []string) string {
	errFound := errors.New("found")
	var found string
	for _, root := range paths {
		if info, err := os.Stat(root); err != nil || !info.IsDir() {
			continue
		}
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".json") && filepath.Dir(p) != filepath.Clean(root) {
				found = filepath.Dir(p)
				return errFound
			}
			return nil
		})
		if found != "" {
			return found
		}
	}
	return ""
}
