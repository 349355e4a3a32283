package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestErrorsShowQuotedNamesVisibly: an error quotes the file it is about;
// a name with escapes must not act on the terminal.
func TestErrorsShowQuotedNamesVisibly(t *testing.T) {
	name := filepath.Join(tempDir(t), "x\x1b[2J\x1b[H\x1b[8m.json")
	code, _, errOut := runArgs(t, "scan", "--from", name)
	if code != exitUsage {
		t.Errorf("exit %d", code)
	}
	if strings.ContainsRune(errOut, 0x1b) || !strings.Contains(errOut, `x\x1b[2J\x1b[H\x1b[8m.json`) {
		t.Errorf("stderr %q", errOut)
	}
}
