package schedule

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Every spelling Windows accepts for the results folder, or a folder in it,
// is the results folder.
func TestTheResultsFolderUnderEveryWindowsSpelling(t *testing.T) {
	for _, tc := range []struct{ path, dir string }{
		{`C:\DSPT\Results\checks`, `c:\dspt\results`},
		{`c:/dspt/results/`, `C:\DSPT\RESULTS\`},
		{`C:\\dspt\\\results\\checks`, `C:\dspt\results`},
		{`\\?\C:\dspt\results\checks`, `C:\dspt\results`},
		{`C:\dspt\results\checks`, `\\?\c:\DSPT\results\`},
		{`\\?\UNC\server\share\dspt results\checks`, `\\SERVER\share\dspt results`},
		{`\\server\share\dspt results\checks`, `\\?\UNC\server\share\dspt results\`},
		{`\\server\\share\dspt results\.\checks`, `\\server\share\dspt results`},
		{`C:\dspt\other\..\results\checks`, `C:\dspt\results`},
	} {
		if !inside(tc.path, tc.dir) {
			t.Errorf("%s is not seen inside %s (%s, %s)", tc.path, tc.dir, Comparable(tc.path), Comparable(tc.dir))
		}
	}
	for _, tc := range []struct{ path, dir string }{
		{`C:\dspt\results checks`, `C:\dspt\results`},
		{`C:\dspt\results-checks`, `C:\dspt\results`},
		{`\\server\share2\dspt`, `\\server\share`},
		{`D:\dspt\results`, `C:\dspt\results`},
	} {
		if inside(tc.path, tc.dir) {
			t.Errorf("%s is seen inside %s", tc.path, tc.dir)
		}
	}
}

// A link to the results folder, or a results folder named through a link,
// or a doubled separator, does not get a checks folder past the rule.
func TestTheResultsFolderThroughLinksAndDoubledSlashes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need a privilege on Windows")
	}
	root := tempDir(t)
	res, other := filepath.Join(root, "res"), filepath.Join(root, "other")
	for _, d := range []string{filepath.Join(res, "checks"), other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	resLink, checksLink := filepath.Join(root, "reslink"), filepath.Join(other, "checks")
	if err := os.Symlink(res, resLink); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(res, "checks"), checksLink); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ checks, results string }{
		{root + "//res/checks", res},
		{filepath.Join(res, "checks"), root + "//res"},
		{filepath.Join(res, "checks") + "/", res + "/"},
		{checksLink, res},
		{filepath.Join(res, "checks"), resLink},
		{filepath.Join(resLink, "checks"), res},
		{filepath.Join(resLink, "not-yet", "checks"), res},
		{filepath.Join(root, "other", "..", "res", "checks"), res},
	} {
		if ChecksDirApart(tc.checks, tc.results) == nil {
			t.Errorf("--checks-dir %s with --results-dir %s is allowed", tc.checks, tc.results)
		}
		if DataDirApart(tc.checks, tc.results) == nil {
			t.Errorf("--data-dir %s with --results-dir %s is allowed", tc.checks, tc.results)
		}
	}
	if err := ChecksDirApart(filepath.Join(other, "mine"), res); err != nil {
		t.Errorf("a folder apart: %v", err)
	}
}
