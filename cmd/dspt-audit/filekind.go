package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nhs-dspt/dspt-audit/report"
)

// maxSnapshotSize bounds the snapshot read: collect writes well under a
// megabyte.
const maxSnapshotSize = 64 << 20

// readInput reads a file given on the command line as what, refusing what
// is not a regular file (a FIFO would wait for ever, /dev/zero never ends)
// or is larger than limit.
func readInput(path, what string, limit int64) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, usagef("cannot read %s: %v", what, err)
	}
	if !info.Mode().IsRegular() {
		return nil, usagef("cannot read %s: %s is not a regular file (%s)", what, path, info.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("cannot read %s: %v", what, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, usagef("cannot read %s: %v", what, err)
	}
	if int64(len(b)) > limit {
		return nil, usagef("%s: larger than %s, the most a %s is read to", path, report.SizeText(limit), what)
	}
	return b, nil
}

// wrongKind says, when b is plainly not a file of kind want, what it is
// and what to do with it; nil when it is, or may be (a cut-short file is
// left to want's reader to describe).
func wrongKind(path string, b []byte, want report.FileKind) error {
	got := report.IdentifyFile(b)
	if got == want || got == report.BrokenJSON {
		return nil
	}
	msg := fmt.Sprintf("%s is %s, not %s", path, got, want)
	if use := got.Use(); use != "" {
		msg += ": " + strings.ReplaceAll(use, "FILE", path)
	}
	return usageError{errors.New(msg)}
}
