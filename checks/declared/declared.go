// Package declared loads checks written as data (YAML checks files): the
// custom checks a practice or its IT supplier adds without a rebuild, and
// the built-in checks that are plain policy reads. A declared check runs in
// the same engine as a Go check: it declares its reads, judges only from
// observations, and says unknown or needs_admin when a read fails.
package declared

import (
	"fmt"

	"github.com/nhs-dspt/dspt-audit/checks"
)

// Pack is what loading a set of folders found.
type Pack struct {
	// Checks are the checks loaded, in file order, each with Origin set.
	Checks []*checks.Check
	// Files are the checks files read, loaded or not.
	Files []File
	// Problems say why a file, or a check in it, was not loaded.
	Problems []Problem
}

// File is one checks file read.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	// Loaded are the IDs of the checks loaded from it.
	Loaded []string `json:"loaded"`
}

// Problem is why a file, or one check in it, was not loaded.
type Problem struct {
	Path string `json:"path"`
	Line int    `json:"line,omitempty"`
	// ID is the check not loaded; empty when the whole file was not.
	ID      string `json:"id,omitempty"`
	Message string `json:"message"`
}

// Error is the problem on one line: "FILE:LINE: MESSAGE".
func (p Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.Path, p.Message)
}

// LoadDirs reads every checks file (*.yaml, *.yml) in each folder, in
// name order, refusing IDs that clash with builtin or with each other. A
// folder that does not exist is skipped; one that cannot be read is a
// Problem. A bad file never stops the others from loading.
func LoadDirs(dirs []string, builtin []*checks.Check) *Pack {
	// Implemented by the checks-as-data work (issue 19).
	return &Pack{}
}
