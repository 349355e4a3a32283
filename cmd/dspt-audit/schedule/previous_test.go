package schedule

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRegressionEvent(t *testing.T) {
	var many []string
	for i := range 25 {
		many = append(many, fmt.Sprintf("check-%02d", i))
	}
	since := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	e := RegressionEvent("PC\x1b[2J1", since, since.Add(24*time.Hour), false, many, []string{"firewall-on"}, `\\server\dspt\PC1.json`)
	if e.ID != 104 || e.Level != Warning {
		t.Errorf("event %d level %d, want 104 Warning (the README documents it)", e.ID, e.Level)
	}
	for _, want := range []string{`PC\x1b[2J1`, "(2026-11-26 02:00 UTC)", "25 regressed: check-00, ", "check-19 and 5 more", "1 newly failing: firewall-on", `Result: \\server\dspt\PC1.json`} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("message %q lacks %q", e.Message, want)
		}
	}
	if strings.ContainsAny(e.Message, "\x1b\n") || strings.Contains(e.Message, "check-20") {
		t.Errorf("message %q: a control character, or more than 20 IDs", e.Message)
	}
}

// The previous scan later than this one (the clock went backwards), and
// a run that could assess nothing: one line each, not 27 check IDs.
func TestRegressionEventSaysWhatIsOdd(t *testing.T) {
	since := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	e := RegressionEvent("PC1", since, since.Add(-3*time.Hour), false, []string{"firewall-on"}, nil, "PC1.json")
	if want := "(2026-11-26 02:00 UTC, later than this scan (2026-11-25 23:00 UTC): the clock went backwards)"; !strings.Contains(e.Message, want) {
		t.Errorf("message %q lacks %q", e.Message, want)
	}
	var all []string
	for i := range 27 {
		all = append(all, fmt.Sprintf("check-%02d", i))
	}
	e = RegressionEvent("PC1", since, since.Add(24*time.Hour), true, all, nil, "PC1.json")
	if want := "nothing could be assessed this run; 27 checks determined then are now unknown. Result: PC1.json"; !strings.Contains(e.Message, want) || strings.Contains(e.Message, "check-00") {
		t.Errorf("message %q; want %q and no check IDs", e.Message, want)
	}
}

func TestReadPrevious(t *testing.T) {
	dir := tempDir(t)
	if _, _, err := ReadPrevious(dir, "PC1", 100); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("no file: %v, want not-exist", err)
	}
	os.WriteFile(filepath.Join(dir, "PC_1.json"), []byte("legacy"), 0o644)
	if b, path, err := ReadPrevious(dir, "PC 1", 100); err != nil || string(b) != "legacy" || filepath.Base(path) != "PC_1.json" {
		t.Errorf("the name earlier versions wrote: %q %s %v", b, path, err)
	}
	os.WriteFile(filepath.Join(dir, "PC1.json"), []byte(strings.Repeat("x", 101)), 0o644)
	if _, _, err := ReadPrevious(dir, "PC1", 100); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized: %v", err)
	}
	os.Mkdir(filepath.Join(dir, "PC2.json"), 0o755)
	if _, _, err := ReadPrevious(dir, "PC2", 100); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a folder: %v", err)
	}
	outside := filepath.Join(tempDir(t), "secret.json")
	os.WriteFile(outside, []byte("{}"), 0o644)
	if err := os.Symlink(outside, filepath.Join(dir, "PC3.json")); err == nil {
		if _, _, err := ReadPrevious(dir, "PC3", 100); err == nil {
			t.Error("a link out of the results folder was followed")
		}
	}
}
