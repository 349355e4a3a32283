package main

import (
	"bytes"
	"io"
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/mattn/go-isatty"
)

// streams are where a command reads and writes, and what it may assume
// about them. Commands never touch os.Stdout directly, so tests can drive
// them as a terminal or as a pipe.
type streams struct {
	// In is what a form reads keys from; InTTY says it is a terminal.
	In       io.Reader
	InTTY    bool
	Out, Err io.Writer
	// OutTTY and ErrTTY say whether a person is watching.
	OutTTY, ErrTTY bool
	// NoColor is set by NO_COLOR or TERM=dumb.
	NoColor bool
	// Getenv reads the environment (DSPT_AUDIT_NOW).
	Getenv func(string) string
	// loadChecks loads custom checks folders; nil: declared.LoadDirs.
	// Tests set it.
	loadChecks loader
}

func systemStreams() *streams {
	term := os.Getenv("TERM")
	return &streams{
		In:      os.Stdin,
		InTTY:   isTerminal(os.Stdin),
		Out:     os.Stdout,
		Err:     os.Stderr,
		OutTTY:  isTerminal(os.Stdout),
		ErrTTY:  isTerminal(os.Stderr),
		NoColor: os.Getenv("NO_COLOR") != "" || term == "dumb",
		Getenv:  os.Getenv,
	}
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// testStreams returns pipe-like streams and their buffers.
func testStreams() (*streams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &streams{Out: &out, Err: &errOut, NoColor: true, Getenv: func(string) string { return "" }}, &out, &errOut
}

// terminalWidth is the width to wrap text at: the terminal's, when there is
// one, within reason.
func terminalWidth(tty bool) int {
	if tty {
		if w, _, err := term.GetSize(os.Stdout.Fd()); err == nil && w >= 60 {
			return min(w, 140)
		}
	}
	return 100
}
