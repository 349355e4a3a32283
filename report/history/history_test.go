package history

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// golden is a real result this build wrote, and its hash.
func golden(t testing.TB) (*report.Report, string) {
	t.Helper()
	b, err := os.ReadFile("../../testdata/golden/win10-1607-wannacry-era.report.json")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return rep, hex.EncodeToString(sum[:])
}

func TestFromReportKeepsEveryVerdictAndStandard(t *testing.T) {
	rep, sum := golden(t)
	rec := FromReport(rep, sum)
	if len(rec.Checks) != len(rep.Results) || len(rep.Results) == 0 {
		t.Fatalf("%d verdicts recorded, the result has %d", len(rec.Checks), len(rep.Results))
	}
	for _, r := range rep.Results {
		if rec.Checks[r.ID] != r.Status {
			t.Errorf("%s: recorded %s, result says %s", r.ID, rec.Checks[r.ID], r.Status)
		}
	}
	if len(rec.Standards) != len(rep.Standards) {
		t.Fatalf("%d standards recorded, want %d", len(rec.Standards), len(rep.Standards))
	}
	newest := ""
	for _, p := range rep.Data {
		newest = max(newest, p.AsOf.Format(time.DateOnly))
	}
	if rec.DataAsOf != newest || rec.HostID != rep.Host.ID || rec.Outcome != rep.Outcome || !rec.ScannedAt.Equal(rep.ScannedAt) {
		t.Errorf("record %+v does not match the result (data as of %s)", rec, newest)
	}
	var b bytes.Buffer
	if err := Write(&b, []Record{rec}); err != nil {
		t.Fatal(err)
	}
	t.Logf("one record: %d bytes (the full result: %d)", b.Len(), fileSize(t))
	if b.Len() > 3000 {
		t.Errorf("a record takes %d bytes: not compact", b.Len())
	}
	back, st, err := Read(&b)
	if err != nil || st.Corrupt != 0 || len(back) != 1 {
		t.Fatalf("read back %d records, %+v, %v", len(back), st, err)
	}
	if !reflect.DeepEqual(back[0], rec) {
		t.Errorf("read back\n%v\nwrote\n%v", back[0], rec)
	}
}

func fileSize(t testing.TB) int64 {
	info, err := os.Stat("../../testdata/golden/win10-1607-wannacry-era.report.json")
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

// series is n daily records of one machine from start.
func series(t testing.TB, id, name string, start time.Time, n int) []Record {
	rep, _ := golden(t)
	var out []Record
	for i := range n {
		rep.Host.ID, rep.Host.Name, rep.ScannedAt = id, name, start.AddDate(0, 0, i)
		sum := sha256.Sum256([]byte(fmt.Sprint(id, rep.ScannedAt)))
		out = append(out, FromReport(rep, hex.EncodeToString(sum[:])))
	}
	return out
}

func encode(t testing.TB, recs []Record) []byte {
	var b bytes.Buffer
	if err := Write(&b, recs); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadSkipsAndCountsWhatIsNotARecord(t *testing.T) {
	start := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	recs := series(t, "ID-A", "PC1", start, 3)
	lines := strings.SplitAfter(string(encode(t, recs)), "\n")
	v2 := strings.Replace(lines[0], `{"v":1,`, `{"v":2,`, 1)
	extra := strings.Replace(lines[0], `{"v":1,`, `{"v":1,"admin":true,`, 1)
	noHash := strings.Replace(lines[0], recs[0].ResultSHA256, "abc", 1)
	wrongKind := strings.Replace(lines[0], `"checks":{`, `"checks":{"x":7,`, 1)
	long := `{"v":1,"host":"` + strings.Repeat("A", MaxLineSize) + "\"}\n"
	content := lines[0] + "{\"v\":1,\"scanned_at\":\"2026-\n" + "\x00\x01garbage\n" + v2 + extra + noHash + wrongKind + long + "\n\r\n" + lines[1] + lines[2]
	got, st, err := Read(strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if st.Corrupt != 7 || len(got) != 3 || st.Records != 3 || st.TooLarge {
		t.Fatalf("read %d records, %+v; want 3 records and 7 corrupt lines", len(got), st)
	}
	for i := range got {
		if got[i].ResultSHA256 != recs[i].ResultSHA256 {
			t.Errorf("record %d is %s, want %s", i, got[i].ResultSHA256, recs[i].ResultSHA256)
		}
	}
}

func TestReadStopsAtTheSizeBound(t *testing.T) {
	one := encode(t, series(t, "ID-A", "PC1", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 1))
	n := MaxFileSize/len(one) + 50
	content := bytes.Repeat(one, n)
	got, st, err := Read(bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	whole := (MaxFileSize + 1) / len(one)
	if !st.TooLarge || len(got) != whole || st.Corrupt != 1 {
		t.Errorf("read %d records of a %d-byte file, %+v; want %d whole records read, the cut one corrupt", len(got), len(content), st, whole)
	}
}

func TestControlCharactersStayInsideTheirLine(t *testing.T) {
	name := "PC\n{\"v\":1}\r\x1b[2J\u202eevil"
	recs := series(t, "ID-A", name, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 2)
	b := encode(t, recs)
	if n := bytes.Count(b, []byte("\n")); n != 2 {
		t.Fatalf("2 records written as %d lines", n)
	}
	if bytes.ContainsAny(b, "\r\x1b") {
		t.Errorf("a raw control character reached the file: %q", b)
	}
	got, st, _ := Read(bytes.NewReader(b))
	if len(got) != 2 || st.Corrupt != 0 || got[0].HostName != name {
		t.Errorf("read back %d records (%+v), name %q", len(got), st, got[0].HostName)
	}
}

func TestAddPrunesByAgeAndCountAndKeepsOtherMachinesApart(t *testing.T) {
	now := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	old := series(t, "ID-OLD", "PC1", now.AddDate(0, 0, -500), 450) // replaced 50 days ago
	cur := series(t, "ID-NEW", "PC1", now.AddDate(0, 0, -49), 49)
	recs := append(old, cur...)
	next := series(t, "ID-NEW", "PC1", now, 1)[0]
	got := Add(recs, next, now)
	counts := map[string]int{}
	for _, r := range got {
		counts[r.HostID]++
		if now.Sub(r.ScannedAt) > KeepDays*24*time.Hour {
			t.Errorf("kept a record of %s, older than %d days", r.ScannedAt, KeepDays)
		}
	}
	// ID-OLD ran from day -500 to day -51: those within 400 days are days -400..-51.
	if counts["ID-OLD"] != 350 || counts["ID-NEW"] != 50 {
		t.Errorf("kept %v, want 350 of the replaced PC and 50 of the new one", counts)
	}
	if got[len(got)-1].ResultSHA256 != next.ResultSHA256 {
		t.Errorf("the newest record is not last")
	}
	again := Add(got, next, now)
	if len(again) != len(got) {
		t.Errorf("adding the same run again: %d records, was %d", len(again), len(got))
	}
	many := series(t, "ID-NEW", "PC1", now.Add(-time.Duration(MaxRecords+10)*time.Minute), MaxRecords+10)
	for i := range many {
		many[i].ScannedAt = now.Add(-time.Duration(MaxRecords+10-i) * time.Minute)
	}
	if got := Add(many, next, now); len(got) != MaxRecords || got[len(got)-1].ResultSHA256 != next.ResultSHA256 {
		t.Errorf("%d records kept, want the newest %d", len(got), MaxRecords)
	}
}

func TestUpdateRewritesAFileWithACorruptLine(t *testing.T) {
	now := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	recs := series(t, "ID-A", "PC1", now.AddDate(0, 0, -3), 4)
	old := append(encode(t, recs[:3]), "{\"v\":1,\"scann"...)
	b, st, err := Update(bytes.NewReader(old), recs[3], now)
	if err != nil || st.Corrupt != 1 {
		t.Fatalf("Update: %+v, %v", st, err)
	}
	got, st, _ := Read(bytes.NewReader(b))
	if len(got) != 4 || st.Corrupt != 0 {
		t.Errorf("after the update: %d records, %+v", len(got), st)
	}
	bad := recs[3]
	bad.ResultSHA256 = ""
	if _, _, err := Update(nil, bad, now); err == nil {
		t.Error("a record without the result's hash was written")
	}
	if got[3].Checks["smb1-disabled"] != standards.Fail || len(got[3].Checks) != len(recs[3].Checks) {
		t.Errorf("verdicts lost: %v", got[3].Checks)
	}
}

// A signed record read back from its line still verifies; one changed
// after signing, or checked against another key, does not.
func TestSignedRecordVerifiesAfterARoundTrip(t *testing.T) {
	rep, sum := golden(t)
	pub, key, _ := ed25519.GenerateKey(nil)
	other, _, _ := ed25519.GenerateKey(nil)
	rec := FromReport(rep, sum)
	if err := rec.Verify(pub); !errors.Is(err, ErrUnsigned) {
		t.Errorf("unsigned record: %v", err)
	}
	if err := rec.Sign(key); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Write(&b, []Record{rec}); err != nil {
		t.Fatal(err)
	}
	recs, st, err := Read(&b)
	if err != nil || len(recs) != 1 || st.Corrupt != 0 {
		t.Fatalf("read back: %d records, %+v, %v", len(recs), st, err)
	}
	if err := recs[0].Verify(pub); err != nil {
		t.Errorf("the record read back does not verify: %v", err)
	}
	if err := recs[0].Verify(other); err == nil {
		t.Error("verified with another key")
	}
	recs[0].Checks["firewall-on"] = standards.Pass
	recs[0].ScannedAt = recs[0].ScannedAt.Add(time.Hour)
	if err := recs[0].Verify(pub); err == nil {
		t.Error("a record changed after signing verifies")
	}
}
