package fleet

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// smallShare writes four hosts: ssh-hardened fails on one Debian host,
// does not apply to another, passes on Ubuntu; a Windows 11 host meets
// standard 9 by a result ten days old. GP-RECEPTION-TIE has two results with one
// scan time, b.json written first.
func smallShare(t *testing.T) (string, *Rollup) {
	t.Helper()
	data, err := standards.Load()
	if err != nil {
		t.Fatal(err)
	}
	dir := tempDir(t)
	sh := &share{newest: map[string]*written{}}
	profile := func(name string) map[string]any {
		rep, err := judge(filepath.Join("..", "..", "testdata", "profiles", name+".json"), data)
		if err != nil {
			t.Fatal(err)
		}
		return toMap(t, rep)
	}
	fresh := genNow.Add(-time.Hour)
	sh.write(t, filepath.Join(dir, "fail.json"), profile("debian-12-container-neglected"), "GP-DEB-FAIL-01", "1", fresh)
	sh.write(t, filepath.Join(dir, "na.json"), profile("debian-12-nftables"), "GP-DEB-NA-02", "2", fresh)
	sh.write(t, filepath.Join(dir, "pass.json"), profile("ubuntu-2404-desktop-hardened"), "GP-UBU-PASS-03", "3", fresh)
	win := profile("win11-enterprise-24h2-patched")
	sh.write(t, filepath.Join(dir, "old.json"), clone(win), "GP-OLD-SCANNER", "4", genNow.Add(-10*24*time.Hour))
	sh.write(t, filepath.Join(dir, "b.json"), clone(win), "GP-RECEPTION-TIE", "5", fresh)
	sh.write(t, filepath.Join(dir, "a.json"), clone(win), "GP-RECEPTION-TIE", "5", fresh)
	return dir, rollUp(t, []string{dir}, false)
}

// TestFailingShareAndShareMeeting: a check's failing share counts only the
// hosts it applies to, and a stale result does not count as meeting a
// standard, in the figures and in every view.
func TestFailingShareAndShareMeeting(t *testing.T) {
	_, roll := smallShare(t)
	var ssh *CheckTally
	for _, c := range roll.Checks {
		if c.ID == "ssh-hardened" {
			ssh = c
		}
	}
	if ssh == nil || ssh.Hosts() != 3 || ssh.Count(standards.NotApplicable) != 1 {
		t.Fatalf("ssh-hardened: want 3 hosts, one not applicable: %+v", ssh)
	}
	if ssh.Applicable() != 2 || ssh.FailingShare() != 0.5 {
		t.Errorf("ssh-hardened: applicable %d, failing share %v; want 2 and 0.5 (1 of 2)", ssh.Applicable(), ssh.FailingShare())
	}
	it := roll.Standards[8]
	// Standard 9: the Debian hosts do not meet it; Ubuntu, GP-RECEPTION-TIE and
	// GP-OLD-SCANNER (stale) meet it.
	if it.Number != 9 || it.Assessed != 5 || it.Met != 3 || it.StaleMet != 1 || it.Share() != 2.0/5 {
		t.Errorf("standard %d: assessed %d, met %d (%d stale), share %v; want 5, 3 (1), 0.4", it.Number, it.Assessed, it.Met, it.StaleMet, it.Share())
	}

	var doc struct {
		Checks []struct {
			ID           string   `json:"id"`
			Applicable   int      `json:"applicable_hosts"`
			FailingShare *float64 `json:"failing_share"`
		} `json:"checks"`
		Standards []struct {
			Number       int      `json:"number"`
			MetCurrent   int      `json:"met_current"`
			ShareMeeting *float64 `json:"share_meeting"`
		} `json:"standards"`
	}
	if err := json.Unmarshal(write(t, "json", roll), &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range doc.Checks {
		if c.ID == "ssh-hardened" && (c.Applicable != 2 || c.FailingShare == nil || *c.FailingShare != 0.5) {
			t.Errorf("json: ssh-hardened applicable %d, failing share %v", c.Applicable, c.FailingShare)
		}
	}
	if s := doc.Standards[8]; s.Number != 9 || s.MetCurrent != 2 || s.ShareMeeting == nil || *s.ShareMeeting != 0.4 {
		t.Errorf("json: standard 9: %+v", s)
	}

	var term bytes.Buffer
	if err := Terminal(&term, roll, TerminalOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(term.String(), "fail on 1 of 2 hosts it applies to (50%)") || !regexp.MustCompile(`(?m)^ 9 IT protection +5 +40% `).MatchString(term.String()) {
		t.Errorf("terminal: no 50%% failing share or 40%% meeting:\n%s", term.String())
	}

	page := string(write(t, "html", roll))
	if !strings.Contains(page, `<td class="num">2 (40%)<br><span class="note">+1 met by a stale result</span></td>`) || !strings.Contains(page, ">40%</text>") {
		t.Error("html: standard 9 is not shown as 2 (40%) meeting with 1 stale, or its bar is not 40%")
	}
	row := page[strings.Index(page, `<span class="mono">ssh-hardened</span>`):]
	if row = row[:strings.Index(row, "</tr>")]; !strings.HasSuffix(row, `<td class="num">50%</td>`) {
		t.Errorf("html: ssh-hardened row does not end with a 50%% failing share: %s", row)
	}

	book, err := excelize.OpenReader(bytes.NewReader(write(t, "xlsx", roll)))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	rows, err := book.GetRows("Checks")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r[0] == "ssh-hardened" && r[10] != "50%" {
			t.Errorf("xlsx: ssh-hardened failing share %q, want 50%%", r[10])
		}
	}
}

// TestTieOnScanTime: of two results with one scan time the one whose path
// sorts first is counted, whatever the reading order, and every view says
// it was a tie and which file won.
func TestTieOnScanTime(t *testing.T) {
	dir, roll := smallShare(t)
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	var tie *Host
	for _, h := range roll.Hosts {
		if h.Name == "GP-RECEPTION-TIE" {
			tie = h
		}
	}
	if tie == nil || tie.File != a || tie.Ties != 1 || len(tie.TiedWith) != 1 || tie.TiedWith[0] != b || roll.Ties != 1 || roll.Superseded != 1 {
		t.Fatalf("GP-RECEPTION-TIE counted %+v; roll-up ties %d, superseded %d; want a.json counted, b.json tied", tie, roll.Ties, roll.Superseded)
	}
	note := "2 results have the same scan time, 2026-11-23 08:00:00 UTC: counted " + a + " (its path sorts first), not " + b + "."
	if tie.TieNote() != note {
		t.Errorf("note %q, want %q", tie.TieNote(), note)
	}
	fact := "0 older results superseded by a newer one of the same host, and 1 not counted because it has the same scan time"
	var term bytes.Buffer
	if err := Terminal(&term, roll, TerminalOptions{}); err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(strings.Fields(term.String()), " "); !strings.Contains(text, fact) {
		t.Errorf("terminal: no %q:\n%s", fact, term.String())
	}
	if page := string(write(t, "html", roll)); !strings.Contains(page, fact) || !strings.Contains(page, "counted "+a) {
		t.Error("html: the tie is not reported")
	}
	book, err := excelize.OpenReader(bytes.NewReader(write(t, "xlsx", roll)))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	var cells []string
	for _, sheet := range []string{"Summary", "Hosts"} {
		rows, _ := book.GetRows(sheet)
		for _, r := range rows {
			cells = append(cells, strings.Join(r, " "))
		}
	}
	if text := strings.Join(cells, "\n"); !strings.Contains(text, fact) || !strings.Contains(text, note) {
		t.Error("xlsx: the tie is not reported in the Summary and the host's note")
	}
	var doc struct {
		Ties  int `json:"tied_not_counted"`
		Hosts []struct {
			Name     string   `json:"name"`
			File     string   `json:"file"`
			TiedWith []string `json:"tied_with"`
			Notes    []string `json:"notes"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal(write(t, "json", roll), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Ties != 1 {
		t.Errorf("json: tied_not_counted %d", doc.Ties)
	}
	for _, h := range doc.Hosts {
		if h.Name == "GP-RECEPTION-TIE" && (h.File != a || len(h.TiedWith) != 1 || h.TiedWith[0] != b || len(h.Notes) == 0 || h.Notes[len(h.Notes)-1] != note) {
			t.Errorf("json: GP-RECEPTION-TIE %+v", h)
		}
	}
}
