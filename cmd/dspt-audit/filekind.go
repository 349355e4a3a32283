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
		return nil, usagef("cannot read %s: %s is %s, not a regular file", what, path, report.DescribeMode(info.Mode()))
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
	} else if want == report.ScanResult {
		msg += ": give a result such as history/HOST/TIME.json or HOST.json"
	}
	return usageError{errors.New(msg)}
}

// input is a file a command reads, with the name its help gives it.
type input struct{ role, path string }

// refuseInputAsOutput refuses an -o that names one of the files read,
// which the write would replace: the same file however it is named
// (another spelling, a link), as the file system tells. An -o that does not
// exist yet, standard output and a device name no input.
func refuseInputAsOutput(output string, inputs ...input) error {
	if toStdout(output) {
		return nil
	}
	out, err := os.Stat(output)
	if err != nil {
		return nil // not there yet: the write makes a new file
	}
	for _, in := range inputs {
		if info, err := os.Stat(in.path); err == nil && os.SameFile(out, info) {
			return usagef("-o %s is %s (%s), which this command reads: writing there would replace it; give another file name", output, in.role, in.path)
		}
	}
	return nil
}
