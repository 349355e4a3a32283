//go:build unix

package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The attack: history/HOST made a link to a root-owned folder. The run
// writes HOST.json, refuses the history with event 200 naming the link,
// and leaves the folder it points at as it was.
func TestScheduledRunRefusesALinkedHistory(t *testing.T) {
	results, state, target := tempDir(t), tempDir(t), tempDir(t)
	for _, name := range []string{"20200101T000000Z.json", "keys"} {
		if err := os.WriteFile(filepath.Join(target, name), []byte("root's"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(results, "history", "GP-OLD-SCANNER")
	os.MkdirAll(filepath.Dir(link), 0o755)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runArgs(t, "schedule", "run", "--from", profiles+"win10-1607-wannacry-era.json", "--results-dir", results, "--state-dir", state, "--keep", "1")
	if code != exitError || !strings.HasPrefix(out, "event 200") || !strings.Contains(out, link) {
		t.Errorf("exit %d, %q; want event 200 naming %s", code, out, link)
	}
	if _, err := os.Stat(filepath.Join(results, "GP-OLD-SCANNER.json")); err != nil {
		t.Errorf("HOST.json not written: %v", err)
	}
	entries, _ := os.ReadDir(target)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"20200101T000000Z.json", "keys"}) {
		t.Errorf("the link's target now holds %v", names)
	}
}
