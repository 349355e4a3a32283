//go:build linux

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/schedule"
)

// plantExe writes a program at dir/bin/dspt-audit, as a user would copy the
// tool into a folder of their own.
func plantExe(t *testing.T) (exe string) {
	t.Helper()
	bin := filepath.Join(tempDir(t), "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	exe = filepath.Join(bin, "dspt-audit")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return exe
}

func TestInstallRefusesAProgramOthersCanChange(t *testing.T) {
	elevated := schedule.Elevated
	defer func() { schedule.Elevated = elevated }()
	schedule.Elevated = func() bool { return true }

	for _, tc := range []struct {
		name  string
		root  bool
		setup func(t *testing.T, exe string)
	}{
		{name: "folder writable by its group", setup: func(t *testing.T, exe string) {
			if err := os.Chmod(filepath.Dir(exe), 0o775); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "program writable by others", setup: func(t *testing.T, exe string) {
			if err := os.Chmod(exe, 0o757); err != nil {
				t.Fatal(err)
			}
		}},
		// The attack: only write bits were looked at, so a program owned
		// by an unprivileged user in a folder that user owns passed.
		{name: "program and folder owned by a user", root: true, setup: func(t *testing.T, exe string) {
			for _, p := range []string{exe, filepath.Dir(exe)} {
				if err := os.Chown(p, 65534, 65534); err != nil {
					t.Fatal(err)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.root && os.Geteuid() != 0 {
				t.Skip("needs root to hand a file to another user")
			}
			exe := plantExe(t)
			tc.setup(t, exe)
			if schedule.ExeProblem(exe) == nil {
				t.Fatalf("ExeProblem(%s) = nil; not installing for real", exe)
			}
			s, out, errOut := testStreams()
			err := runInstall(&installOptions{Daily: "02:00", ResultsDir: tempDir(t), exe: exe}, s)
			var usage usageError
			if !errors.As(err, &usage) {
				t.Fatalf("got %v, want a usage error", err)
			}
			for _, want := range []string{exe, "/usr/local/bin", "--force"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if out.Len()+errOut.Len() != 0 {
				t.Errorf("refusal wrote %q %q", out, errOut)
			}
		})
	}
}

func TestForceTurnsTheRefusalIntoAWarning(t *testing.T) {
	exe := plantExe(t)
	if err := os.Chmod(exe, 0o777); err != nil {
		t.Fatal(err)
	}
	var warn strings.Builder
	if err := refuseUnsafeExe(exe, true, &warn); err != nil {
		t.Fatalf("--force: %v", err)
	}
	if !strings.HasPrefix(warn.String(), "dspt-audit: warning: --force: ") || strings.Count(warn.String(), "\n") != 1 {
		t.Errorf("warning %q, want one line", warn.String())
	}
}

func TestInstallAcceptsARootOnlyProgram(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: only root can own a trusted program")
	}
	var warn strings.Builder
	if err := refuseUnsafeExe(plantExe(t), false, &warn); err != nil || warn.Len() != 0 {
		t.Errorf("root-owned 0755 program in root-owned folders: %v %q", err, warn.String())
	}
}
