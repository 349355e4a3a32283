//go:build unix

package schedule

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// planted makes a folder outside the results folder holding files a run
// would prune if it followed a link there, and returns it.
func planted(t *testing.T) string {
	t.Helper()
	target := tempDir(t)
	for _, name := range []string{"20200101T000000Z.json", "20200102T000000Z.json", "shadow"} {
		if err := os.WriteFile(filepath.Join(target, name), []byte("root's"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return target
}

func untouched(t *testing.T, target string) {
	t.Helper()
	if names := fileNames(t, target); !slices.Equal(names, []string{"20200101T000000Z.json", "20200102T000000Z.json", "shadow"}) {
		t.Errorf("the link's target now holds %v", names)
	}
}

// The attack: a user made history/HOST a link to a root-owned folder; the
// run wrote into it and deleted its files.
func TestWriteResultRefusesALinkedHistoryFolder(t *testing.T) {
	for _, link := range []string{HistoryDir, filepath.Join(HistoryDir, "PC01")} {
		t.Run(link, func(t *testing.T) {
			dir, target := tempDir(t), planted(t)
			os.MkdirAll(filepath.Dir(filepath.Join(dir, link)), 0o755)
			if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
				t.Fatal(err)
			}
			at := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
			path, err := WriteResult(dir, "PC01", at, 1, func(w io.Writer) error { _, err := io.WriteString(w, "{}"); return err })
			if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, link)+" is not a real folder (a link)") {
				t.Errorf("error %v, want a refusal naming %s", err, link)
			}
			if path != filepath.Join(dir, "PC01.json") {
				t.Errorf("HOST.json not written: %q", path)
			}
			untouched(t, target)
		})
	}
}

func TestWriteResultRefusesALinkedResultFile(t *testing.T) {
	dir, target := tempDir(t), planted(t)
	if err := os.Symlink(filepath.Join(target, "shadow"), filepath.Join(dir, "PC01.json")); err != nil {
		t.Fatal(err)
	}
	_, err := WriteResult(dir, "PC01", time.Now(), 1, func(w io.Writer) error { _, err := io.WriteString(w, "{}"); return err })
	if err == nil || !strings.Contains(err.Error(), "not a regular file (a link)") {
		t.Errorf("error %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(filepath.Join(target, "shadow")); string(b) != "root's" {
		t.Errorf("the link's target now holds %q", b)
	}
	untouched(t, target)
}

// Inside a real history folder, a planted link named like a history file
// is neither followed nor counted, and what it points at stays.
func TestPruneLeavesPlantedLinksAlone(t *testing.T) {
	dir, target := tempDir(t), planted(t)
	hist := filepath.Join(dir, HistoryDir, "PC01")
	os.MkdirAll(hist, 0o755)
	if err := os.Symlink(filepath.Join(target, "20200101T000000Z.json"), filepath.Join(hist, "20000101T000000Z.json")); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	for day := range 3 {
		writeAt(t, dir, "PC01", start.AddDate(0, 0, day), 1)
	}
	if names := fileNames(t, hist); !slices.Equal(names, []string{"20000101T000000Z.json", "20261103T020000Z.json"}) {
		t.Errorf("history holds %v", names)
	}
	untouched(t, target)
}
