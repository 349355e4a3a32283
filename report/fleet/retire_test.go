package fleet

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/report/sign"
)

// pc is a machine with its own key, writing signed results.
type pc struct {
	name, id string
	key      ed25519.PrivateKey
}

func newPC(name, id string) pc {
	_, key, _ := ed25519.GenerateKey(nil)
	return pc{name, id, key}
}

func (p pc) pin() Pin {
	pub := p.key.Public().(ed25519.PublicKey)
	return Pin{HostID: p.id, HostName: p.name, PublicKey: sign.EncodePublicKey(pub), KeyID: sign.KeyID(pub)}
}

// write writes a signed result of the machine scanned at at.
func (p pc) write(t testing.TB, dir string, at time.Time) string {
	t.Helper()
	doc := toMap(t, failingReport(t))
	host := doc["host"].(map[string]any)
	host["name"], host["id"] = p.name, p.id
	doc["scanned_at"], doc["judged_at"] = at.Format(time.RFC3339), at.Format(time.RFC3339)
	signed, err := sign.Append(mustJSON(t, doc), p.key, p.id)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.json", p.name, at.Format("20060102")))
	writeFile(t, path, signed)
	return path
}

// monthly writes a result on the 15th of each month from first to last.
func (p pc) monthly(t testing.TB, dir string, first, last time.Month) {
	for m := first; m <= last; m++ {
		p.write(t, dir, time.Date(2026, m, 15, 9, 0, 0, 0, time.UTC))
	}
}

func periodNamed(t *testing.T, tr *Trend, label string) TrendPeriod {
	t.Helper()
	for _, p := range tr.Periods {
		if p.Label == label {
			return p
		}
	}
	t.Fatalf("no period %s", label)
	return TrendPeriod{}
}

// The README's replacement: PC-B is replaced on 1 October by a new
// machine of the same name. Retiring the old pin keeps June's two hosts
// (deleting it made June one host and the past look better), ends the old
// series at its last result (never stale afterwards) and frees the name
// for the new machine's key.
func TestARetiredPCKeepsItsPastAndFreesItsName(t *testing.T) {
	dir := tempDir(t)
	a, oldB, newB := newPC("PC-A", "ID-A"), newPC("PC-B", "ID-B-OLD"), newPC("PC-B", "ID-B-NEW")
	a.monthly(t, dir, time.June, time.November)
	oldB.monthly(t, dir, time.June, time.September)
	newB.monthly(t, dir, time.October, time.November)
	retiredOn := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)

	trust := NewTrust()
	trust.pin(a.pin())
	trust.pin(oldB.pin())
	if got := trust.Retire("pc-b", retiredOn); len(got) != 1 || got[0].HostID != "ID-B-OLD" {
		t.Fatalf("retired %+v", got)
	}
	trust.AcceptNew = true
	opts := Options{Now: trendNow, Standards: ndgStandards(t), Trust: trust}
	roll, err := Read(context.Background(), []string{dir}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(roll.Pinned) != 1 || roll.Pinned[0].HostID != "ID-B-NEW" || len(roll.Unaccounted) != 0 {
		t.Errorf("the new PC-B was not trusted in the old one's name, or the retired one is expected: pinned %+v, unaccounted %+v", roll.Pinned, roll.Unaccounted)
	}
	for _, u := range roll.Untrusted {
		if u.HostID == "ID-B-OLD" && !strings.Contains(u.Reason, "retired 2026-10-01") {
			t.Errorf("the old PC-B's result %s: %q", u.Path, u.Reason)
		}
	}

	tr, err := ReadTrend(context.Background(), []string{dir}, Options{Now: trendNow, Standards: ndgStandards(t), Trust: trust}, TrendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for label, want := range map[string][2]int{"2026-06": {2, 2}, "2026-09": {2, 2}, "2026-10": {2, 2}, "2026-11": {2, 2}} {
		if p := periodNamed(t, tr, label); p.Hosts != want[0] || p.Reporting != want[1] {
			t.Errorf("%s: %d hosts, %d reporting; want %d, %d (the old PC-B counted to September, then the new one)", label, p.Hosts, p.Reporting, want[0], want[1])
		}
	}
	if tr.Untrusted != 0 || tr.FullResults != 6+4+2 {
		t.Errorf("%d untrusted, %d counted; want 0, 12", tr.Untrusted, tr.FullResults)
	}

	// A result the retired machine signs after its retirement is not counted.
	late := oldB.write(t, dir, time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	tr, _ = ReadTrend(context.Background(), []string{dir}, Options{Now: trendNow, Standards: ndgStandards(t), Trust: trust}, TrendOptions{})
	if p := periodNamed(t, tr, "2026-11"); tr.Untrusted != 1 || p.Hosts != 2 {
		t.Errorf("after retirement: %d untrusted, November %d hosts; want 1, 2", tr.Untrusted, p.Hosts)
	}
	os.Remove(late)

	// The store keeps the retirement, and reads files written without it.
	path := filepath.Join(tempDir(t), "trust.json")
	if err := trust.Save(path); err != nil {
		t.Fatal(err)
	}
	again, err := LoadTrust(path)
	if err != nil || len(again.Pins()) != 2 || len(again.Retired()) != 1 || !again.Retired()[0].RetiredAt.Equal(retiredOn) {
		t.Fatalf("reloaded: %v, %+v, %+v", err, again.Pins(), again.Retired())
	}
	fresh := NewTrust()
	fresh.pin(a.pin())
	fresh.Save(path)
	if b, _ := os.ReadFile(path); strings.Contains(string(b), "retired") {
		t.Errorf("a store without retirements is not written as before:\n%s", b)
	}
	if got, err := LoadTrust(path); err != nil || len(got.Pins()) != 1 {
		t.Errorf("a store without retired_at: %v", err)
	}
}

// A renamed PC (same host ID and key) is not accepted by itself: a clone
// looks the same. The reason says how to accept a rename; once the old
// name is retired, the new one is trusted with --trust-new and the trend
// keeps one series.
func TestARenamedPCIsAcceptedOnlyAfterRetiringItsOldName(t *testing.T) {
	dir := tempDir(t)
	c := newPC("PC-C", "ID-C")
	c.monthly(t, dir, time.September, time.October)
	renamed := c
	renamed.name = "PC-D"
	renamed.monthly(t, dir, time.November, time.November)
	trust := NewTrust()
	trust.pin(c.pin())
	opts := Options{Now: trendNow, Standards: ndgStandards(t), Trust: trust}
	roll, _ := Read(context.Background(), []string{dir}, opts)
	if len(roll.Untrusted) != 1 || !strings.Contains(roll.Untrusted[0].Reason, "if PC-C was renamed PC-D, run 'fleet --retire PC-C' then 'fleet --trust-new'") {
		t.Fatalf("untrusted %+v", roll.Untrusted)
	}
	trust.Retire("PC-C", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	trust.AcceptNew = true
	roll, _ = Read(context.Background(), []string{dir}, opts)
	if len(roll.Pinned) != 1 || roll.Pinned[0].HostName != "PC-D" || len(roll.Untrusted) != 2 || len(roll.Unaccounted) != 0 {
		t.Errorf("after retiring PC-C: pinned %+v, untrusted %+v, unaccounted %+v", roll.Pinned, roll.Untrusted, roll.Unaccounted)
	}
	tr, _ := ReadTrend(context.Background(), []string{dir}, opts, TrendOptions{})
	if tr.FullResults != 3 || tr.Untrusted != 0 {
		t.Errorf("trend: %d counted, %d untrusted; want 3, 0", tr.FullResults, tr.Untrusted)
	}
	for _, p := range tr.Periods {
		if p.Label >= "2026-09" && (p.Hosts != 1 || p.Reporting != 1) {
			t.Errorf("%s: %d hosts, %d reporting; want one series", p.Label, p.Hosts, p.Reporting)
		}
	}
}

// The retired PC's own files left in the share are no sign that the new
// PC of that name was tampered with: before the new one reports, it is
// missing, not TAMPERED.
func TestARetiredPCsFilesDoNotMakeItsSuccessorTampered(t *testing.T) {
	dir := tempDir(t)
	oldB, newB := newPC("PC-B", "ID-B-OLD"), newPC("PC-B", "ID-B-NEW")
	oldB.monthly(t, dir, time.September, time.September)
	trust := NewTrust()
	trust.pin(oldB.pin())
	trust.Retire("PC-B", time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	trust.pin(newB.pin())
	roll, err := Read(context.Background(), []string{dir}, Options{Now: trendNow, Standards: ndgStandards(t), Trust: trust})
	if err != nil {
		t.Fatal(err)
	}
	if len(roll.Unaccounted) != 1 || roll.Unaccounted[0].HostID != "ID-B-NEW" || roll.Unaccounted[0].Tampered {
		t.Errorf("unaccounted %+v; want the new PC-B missing, not tampered", roll.Unaccounted)
	}
}
