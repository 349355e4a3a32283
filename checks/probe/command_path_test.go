//go:build linux

package probe

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// plantScript writes an executable shell script that creates marker when
// it runs and prints its environment.
func plantScript(t *testing.T, dir, name, marker string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, name)
	script := "#!/bin/sh\n: > '" + marker + "'\nenv\n"
	if err := os.WriteFile(path, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: only root can own a trusted command")
	}
}

func observeCommand(t *testing.T, l Live, name string) (CommandResult, *Error) {
	t.Helper()
	v, err := l.Read(context.Background(), CommandOutput(name))
	if err == nil {
		return v.(CommandResult), nil
	}
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("%s: unclassified error %v", name, err)
	}
	return CommandResult{}, pe
}

func assertNotRun(t *testing.T, marker string) {
	t.Helper()
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("the planted program ran (marker %s exists)", marker)
	}
}

// The attack: PATH=/evil:$PATH dspt-audit scan --only disk-encrypted ran a
// fake lsblk as root.
func TestCommandIgnoresPATH(t *testing.T) {
	evil, empty := t.TempDir(), t.TempDir()
	marker := filepath.Join(t.TempDir(), "ran")
	plantScript(t, evil, "lsblk", marker, 0o755)
	plantScript(t, evil, "dspt-audit-no-such-command", marker, 0o755)
	t.Setenv("PATH", evil+string(os.PathListSeparator)+os.Getenv("PATH"))

	if _, perr := observeCommand(t, Live{commandDirs: []string{empty}}, "lsblk"); perr == nil || perr.Class != NotFound {
		t.Errorf("lsblk only on PATH: got %v, want not_found", perr)
	}
	if _, perr := observeCommand(t, Live{}, "dspt-audit-no-such-command"); perr == nil || perr.Class != NotFound {
		t.Errorf("a command only on PATH, system folders: got %v, want not_found", perr)
	}
	observeCommand(t, Live{}, "lsblk") // the real one, if installed
	assertNotRun(t, marker)
}

func TestCommandRefusesWhatOthersCanChange(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir, marker string)
		root  bool // the case needs root to set up
	}{
		{name: "group-writable", setup: func(t *testing.T, dir, marker string) {
			plantScript(t, dir, "fake", marker, 0o775)
		}},
		{name: "other-writable", setup: func(t *testing.T, dir, marker string) {
			plantScript(t, dir, "fake", marker, 0o757)
		}},
		{name: "owned by nobody", root: true, setup: func(t *testing.T, dir, marker string) {
			chownNobody(t, plantScript(t, dir, "fake", marker, 0o755))
		}},
		{name: "link to a group-writable target", setup: func(t *testing.T, dir, marker string) {
			target := plantScript(t, t.TempDir(), "target", marker, 0o775)
			symlink(t, target, filepath.Join(dir, "fake"))
		}},
		{name: "link into a folder nobody owns", root: true, setup: func(t *testing.T, dir, marker string) {
			other := t.TempDir()
			target := plantScript(t, other, "target", marker, 0o755)
			chownNobody(t, other)
			symlink(t, target, filepath.Join(dir, "fake"))
		}},
		{name: "in a world-writable folder", setup: func(t *testing.T, dir, marker string) {
			plantScript(t, dir, "fake", marker, 0o755)
			if err := os.Chmod(dir, 0o777); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.root {
				requireRoot(t)
			}
			dir := t.TempDir()
			marker := filepath.Join(t.TempDir(), "ran")
			tc.setup(t, dir, marker)
			_, perr := observeCommand(t, Live{commandDirs: []string{dir}}, "fake")
			if perr == nil || perr.Class != Untrusted {
				t.Errorf("got %v, want untrusted", perr)
			}
			assertNotRun(t, marker)
		})
	}
}

func TestCommandRunsTrustedProgramWithFixedEnvironment(t *testing.T) {
	requireRoot(t)
	first, second := t.TempDir(), t.TempDir()
	marker := filepath.Join(t.TempDir(), "ran")
	target := plantScript(t, t.TempDir(), "target", marker, 0o755)
	symlink(t, target, filepath.Join(second, "fake"))
	plantScript(t, second, "later", marker, 0o755)
	t.Setenv("DSPT_AUDIT_SECRET", "leaked")

	out, perr := observeCommand(t, Live{commandDirs: []string{first, second}}, "fake")
	if perr != nil {
		t.Fatalf("a root-owned program behind a link: %v", perr)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the program did not run: %v", err)
	}
	for _, want := range []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin\n", "LC_ALL=C\n"} {
		if !strings.Contains(out.Stdout, want) {
			t.Errorf("environment lacks %q:\n%s", want, out.Stdout)
		}
	}
	if strings.Contains(out.Stdout, "DSPT_AUDIT_SECRET") {
		t.Errorf("the scan's own environment reached the command:\n%s", out.Stdout)
	}
}

func TestCommandRejectsPaths(t *testing.T) {
	for _, name := range []string{"", "/bin/true", "../true", "x/y"} {
		if _, perr := observeCommand(t, Live{}, name); perr == nil || perr.Class != Other {
			t.Errorf("%q: got %v, want other", name, perr)
		}
	}
}

func TestAdminOnlySystemProgram(t *testing.T) {
	for _, p := range []string{"/bin/sh", "/usr/bin/env"} {
		if err := AdminOnly(p); err != nil {
			t.Errorf("AdminOnly(%s) = %v, want nil", p, err)
		}
	}
}

func TestAdminOnlyNamesTheFolderOthersOwn(t *testing.T) {
	requireRoot(t)
	top := t.TempDir()
	mid := filepath.Join(top, "mid")
	if err := os.MkdirAll(filepath.Join(mid, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	exe := plantScript(t, filepath.Join(mid, "bin"), "prog", filepath.Join(top, "ran"), 0o755)
	if err := AdminOnly(exe); err != nil {
		t.Fatalf("all root-owned: %v", err)
	}
	chownNobody(t, mid)
	err := AdminOnly(exe)
	if err == nil || !strings.Contains(err.Error(), mid+" is owned by user") {
		t.Errorf("got %v, want %s named as owned by another user", err, mid)
	}
}

func chownNobody(t *testing.T, path string) {
	t.Helper()
	if err := os.Lchown(path, 65534, 65534); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
