//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestPracticeFIFORefused: a pipe put where the practice file should be is
// refused at once, not waited on.
func TestPracticeFIFORefused(t *testing.T) {
	fifo := filepath.Join(tempDir(t), "practice.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	code, _, errOut := runArgs(t, "practice", "check", fifo)
	if code != exitUsage || !strings.Contains(errOut, "is a pipe, not a regular file") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
