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

func TestWriteHistoryAddsEachRunAndDropsCorruptLines(t *testing.T) {
	dir := tempDir(t)
	start := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	for day := range 3 {
		at := start.AddDate(0, 0, day)
		if _, err := WriteHistory(dir, "PC 01", record("ID-1", "PC 01", at), at); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, HistoryDir, "PC%2001.history.jsonl")
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("{\"v\":1,\"scanned_at\":\"2026-11-0") // a write cut short by another program
	f.Close()
	at := start.AddDate(0, 0, 3)
	st, err := WriteHistory(dir, "PC 01", record("ID-1", "PC 01", at), at)
	if err != nil || st.Corrupt != 1 || st.Records != 3 {
		t.Fatalf("WriteHistory: %+v, %v; want 3 records read and 1 corrupt line", st, err)
	}
	b, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	recs, st, _ := history.Read(b)
	if len(recs) != 4 || st.Corrupt != 0 || !recs[3].ScannedAt.Equal(at) {
		t.Errorf("history holds %d records (%+v)", len(recs), st)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, HistoryDir, ".*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestWriteHistoryRefusesALink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need a privilege on Windows")
	}
	dir := tempDir(t)
	target := filepath.Join(t.TempDir(), "elsewhere")
	os.WriteFile(target, []byte("keep"), 0o644)
	os.MkdirAll(filepath.Join(dir, HistoryDir), 0o755)
	if err := os.Symlink(target, filepath.Join(dir, HistoryDir, "PC01.history.jsonl")); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	if _, err := WriteHistory(dir, "PC01", record("ID-1", "PC01", at), at); err == nil {
		t.Fatal("wrote through a link")
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target now holds %q", b)
	}
}
