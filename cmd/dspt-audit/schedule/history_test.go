package schedule

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/report/history"
	"github.com/nhs-dspt/dspt-audit/standards"
)

func record(id, name string, at time.Time) history.Record {
	sum := sha256.Sum256([]byte(fmt.Sprint(id, at)))
	return history.Record{V: history.Version, ScannedAt: at, HostID: id, HostName: name, Outcome: standards.Met,
		Checks: map[string]standards.Status{"firewall-on": standards.Pass}, ResultSHA256: hex.EncodeToString(sum[:])}
}

// The local history and the share's file each hold what was written; the
// share's is named by host name and host ID, and read back (with the name
// test builds wrote) bounded.
func TestLocalAndShareHistory(t *testing.T) {
	state, dir := filepath.Join(tempDir(t), "state"), tempDir(t)
	if _, _, found, err := ReadLocalHistory(state); found || err != nil {
		t.Fatalf("no state folder yet: found %t, %v", found, err)
	}
	start := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	var recs []history.Record
	for day := range 3 {
		recs = append(recs, record("ID-1", "PC 01", start.AddDate(0, 0, day)))
	}
	if err := WriteLocalHistory(state, recs); err != nil {
		t.Fatal(err)
	}
	got, st, found, err := ReadLocalHistory(state)
	if !found || err != nil || len(got) != 3 || st.Corrupt != 0 {
		t.Fatalf("local history: %d records, %+v, found %t, %v", len(got), st, found, err)
	}
	if err := WriteShareHistory(dir, "PC 01", "ID-1", recs[:2]); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, HistoryDir, "PC%2001.id-1.history.jsonl")); err != nil {
		t.Errorf("the share's file is not named by host name and ID: %v", err)
	}
	os.WriteFile(filepath.Join(dir, HistoryDir, "PC%2001.history.jsonl"), []byte("not a record\n"), 0o644)
	got, st, err = ReadShareHistory(dir, "PC 01", "ID-1")
	if len(got) != 2 || st.Corrupt != 1 || err != nil {
		t.Errorf("share history: %d records, %+v, %v; want 2 and the older file's 1 line not a record", len(got), st, err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, HistoryDir, ".*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestWriteShareHistoryRefusesALink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need a privilege on Windows")
	}
	dir := tempDir(t)
	target := filepath.Join(tempDir(t), "elsewhere")
	os.WriteFile(target, []byte("keep"), 0o644)
	os.MkdirAll(filepath.Join(dir, HistoryDir), 0o755)
	if err := os.Symlink(target, filepath.Join(dir, HistoryDir, "PC01.id-1.history.jsonl")); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	if err := WriteShareHistory(dir, "PC01", "ID-1", []history.Record{record("ID-1", "PC01", at)}); err == nil {
		t.Fatal("wrote through a link")
	}
	if _, _, err := ReadShareHistory(dir, "PC01", "ID-1"); err == nil {
		t.Error("read through a link")
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target now holds %q", b)
	}
}
