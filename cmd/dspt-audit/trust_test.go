package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/schedule"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/fleet"
	"github.com/nhs-dspt/dspt-audit/report/sign"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// share is a results folder written by three PCs' nightly runs, each with
// its own key, and the trust store that pinned their keys.
type share struct {
	dir, state, trust string
}

var sharePCs = []string{"win10-1607-wannacry-era", "win11-enterprise-24h2-patched", "ubuntu-2404-desktop-hardened"}

func newShare(t *testing.T) share {
	t.Helper()
	sh := share{dir: tempDir(t), state: tempDir(t)}
	sh.trust = filepath.Join(sh.state, "trust.json")
	for _, p := range sharePCs {
		runArgs(t, "schedule", "run", "--from", profiles+p+".json", "--results-dir", sh.dir, "--state-dir", filepath.Join(sh.state, p), "--keep", "0")
	}
	if code, _, errOut := runArgs(t, "fleet", sh.dir, "--trust", sh.trust, "--trust-new", "--now", "2026-11-24", "-o", filepath.Join(sh.state, "accepted.json")); code != exitOK {
		t.Fatalf("accepting the PCs: %s", errOut)
	}
	return sh
}

func (sh share) result(t *testing.T, profile string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sh.dir, schedule.FileName(hostOf(t, profiles+profile+".json"))))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// forge rewrites a result as an attacker would: it claims the standards are
// met, scanned an hour before the roll-up (a date far in the future is set
// aside on its own), as host name/ID; the signature, if any, is dropped.
func forge(t *testing.T, signed []byte, name, hostID string) []byte {
	t.Helper()
	var rep map[string]any
	if err := json.Unmarshal(signed, &rep); err != nil {
		t.Fatal(err)
	}
	delete(rep, "signature")
	host := rep["host"].(map[string]any)
	host["name"], host["id"] = name, hostID
	rep["scanned_at"], rep["outcome"] = "2026-11-23T23:00:00Z", string(standards.Met)
	for _, s := range rep["standards"].([]any) {
		if s := s.(map[string]any); s["outcome"] != string(standards.NotAssessed) {
			s["outcome"] = string(standards.Met)
		}
	}
	for _, r := range rep["results"].([]any) {
		r.(map[string]any)["status"] = "pass"
	}
	var b bytes.Buffer
	if err := report.JSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func signWith(t *testing.T, b []byte, key ed25519.PrivateKey, hostID string) []byte {
	t.Helper()
	signed, err := sign.Append(b, key, hostID)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// TestForgedUnsignedAndRekeyedResultsAreNotCounted is the attack on the
// share: a compromised PC (GP-RECEPTION-01, whose key is trusted) writes
// results claiming the failing host GP-OLD-SCANNER is met, dated 2099,
// signed by its own key; one unsigned; one signed by a new key with the
// failing host's ID. Each is named, with its reason, on page 1 of every
// format, none is counted, and the practice outcome stays the honest one.
func TestForgedUnsignedAndRekeyedResultsAreNotCounted(t *testing.T) {
	sh := newShare(t)
	victim := sh.result(t, "win10-1607-wannacry-era")
	var honest struct {
		Host    report.Host
		Outcome standards.Outcome
	}
	json.Unmarshal(victim, &honest)
	if honest.Outcome == standards.Met {
		t.Fatal("the victim host must not meet the standards for the attack to mean anything")
	}
	attacker, err := schedule.LoadKey(schedule.KeyDir(filepath.Join(sh.state, "win11-enterprise-24h2-patched")))
	if err != nil {
		t.Fatal(err)
	}
	_, stranger, _ := ed25519.GenerateKey(nil)
	attackerID := "4c4c4544-0026100-9445-8058-b7c04f4d3232"
	attacks := map[string][]byte{
		"forged.json":   signWith(t, forge(t, victim, honest.Host.Name, attackerID), attacker, attackerID),
		"forged-2.json": signWith(t, forge(t, victim, honest.Host.Name, honest.Host.ID), attacker, honest.Host.ID),
		"unsigned.json": forge(t, victim, honest.Host.Name, honest.Host.ID),
		"rekeyed.json":  signWith(t, forge(t, victim, honest.Host.Name, honest.Host.ID), stranger, honest.Host.ID),
	}
	wantReason := map[string]string{
		"forged.json":   "claims the name " + honest.Host.Name + ", which is pinned to another machine",
		"forged-2.json": "not the key",
		"unsigned.json": "unsigned",
		"rekeyed.json":  "not the key",
	}
	for name, b := range attacks {
		os.WriteFile(filepath.Join(sh.dir, name), b, 0o644)
	}

	// Without the trust store (as before signatures), the forgery wins.
	data, _ := standards.Load()
	naive, err := fleet.Read(context.Background(), []string{sh.dir}, fleet.Options{Standards: data.NDG.Standards})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range naive.Hosts {
		if strings.EqualFold(h.Name, honest.Host.Name) && h.Outcome != standards.Met {
			t.Fatalf("the forgery does not fool a roll-up without signatures (%s is %s): the test proves nothing", h.Name, h.Outcome)
		}
	}

	code, out, errOut := runArgs(t, "fleet", sh.dir, "--trust", sh.trust, "--format", "json", "--now", "2026-11-24")
	if code != exitOK {
		t.Fatalf("fleet: exit %d, %s", code, errOut)
	}
	var roll struct {
		Outcome   standards.Outcome
		HostCount int `json:"host_count"`
		Hosts     []struct {
			Name    string
			Outcome standards.Outcome
		}
		NotCounted []fleet.Untrusted `json:"not_counted"`
	}
	if err := json.Unmarshal([]byte(out), &roll); err != nil {
		t.Fatal(err)
	}
	if roll.Outcome != standards.NotMet || roll.HostCount != len(sharePCs) {
		t.Errorf("practice %s over %d hosts; want %s over %d", roll.Outcome, roll.HostCount, standards.NotMet, len(sharePCs))
	}
	for _, h := range roll.Hosts {
		if h.Name == honest.Host.Name && h.Outcome != honest.Outcome {
			t.Errorf("%s is %s; its own result says %s", h.Name, h.Outcome, honest.Outcome)
		}
	}
	if len(roll.NotCounted) != len(attacks) {
		t.Errorf("%d results not counted, want %d: %+v", len(roll.NotCounted), len(attacks), roll.NotCounted)
	}
	for _, u := range roll.NotCounted {
		if want := wantReason[filepath.Base(u.Path)]; want == "" || !strings.Contains(u.Reason, want) {
			t.Errorf("%s not counted because %q; want %q", u.Path, u.Reason, want)
		}
	}

	// Page 1 of every format names each file not counted.
	book := filepath.Join(sh.state, "practice.xlsx")
	runArgs(t, "fleet", sh.dir, "--trust", sh.trust, "-o", book)
	summary := xlsxSummary(t, book)
	for _, format := range []string{"text", "html", "csv", "xlsx"} {
		page := summary
		if format != "xlsx" {
			_, page, _ = runArgs(t, "fleet", sh.dir, "--trust", sh.trust, "--format", format)
		}
		if format == "text" {
			page = page[:strings.Index(page, "Standard ")]
		}
		if format == "csv" {
			page = strings.Join(strings.Split(page, "\n")[:len(attacks)+1], "\n")
		}
		for name := range attacks {
			if !strings.Contains(page, name) {
				t.Errorf("%s: page 1 does not name %s", format, name)
			}
		}
		if !strings.Contains(page, "NOT counted") && !strings.Contains(page, "Not counted") {
			t.Errorf("%s: page 1 does not say results were not counted", format)
		}
	}
}

func xlsxSummary(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Summary")
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, row := range rows {
		text.WriteString(strings.Join(row, " ") + "\n")
	}
	return text.String()
}

// TestNewHostsNeedAcceptance: without --trust-new a PC seen for the first
// time is listed and not counted; with it, it is pinned once.
func TestNewHostsNeedAcceptance(t *testing.T) {
	sh := newShare(t)
	runArgs(t, "schedule", "run", "--from", profiles+"win10-enterprise-ltsc-2021.json", "--results-dir", sh.dir, "--state-dir", filepath.Join(sh.state, "new"), "--keep", "0")
	_, out, _ := runArgs(t, "fleet", sh.dir, "--trust", sh.trust, "--now", "2026-11-24")
	if !strings.Contains(out, "Hosts:    3") || !strings.Contains(out, "GP-XRAY-05") || !strings.Contains(out, "new, not yet trusted") {
		t.Errorf("a new host was counted, or not listed as new:\n%s", out)
	}
	_, _, errOut := runArgs(t, "fleet", sh.dir, "--trust", sh.trust, "--trust-new", "--now", "2026-11-24")
	_, out, _ = runArgs(t, "fleet", sh.dir, "--trust", sh.trust, "--now", "2026-11-24")
	if !strings.Contains(errOut, "Trusted 1 new host") || !strings.Contains(out, "Hosts:    4") || strings.Contains(out, "not yet trusted") {
		t.Errorf("--trust-new did not pin the new host: %s\n%s", errOut, out)
	}
}

func TestReportVerify(t *testing.T) {
	sh := newShare(t)
	good := filepath.Join(sh.dir, schedule.FileName("GP-OLD-SCANNER"))
	b, _ := os.ReadFile(good)
	bad := filepath.Join(sh.state, "bad.json")
	os.WriteFile(bad, bytes.Replace(b, []byte(`"status": "fail"`), []byte(`"status": "pass"`), 1), 0o644)
	unsigned := filepath.Join(sh.state, "unsigned.json")
	runArgs(t, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "-o", unsigned)
	tests := []struct {
		file   string
		code   int
		stdout string
		stderr string
	}{
		{good, exitOK, "valid: " + good + ": host GP-OLD-SCANNER (host ID 4c4c4544-0014393-0447-8058-b7c04f4d3232), signed by key SHA256:", ""},
		{bad, exitBadSignature, "", "bad signature: " + bad + " (claims host GP-OLD-SCANNER): the signature does not match"},
		{unsigned, exitUnsigned, "", "unsigned: " + unsigned},
		{profiles + "win10-1607-wannacry-era.json", exitUsage, "", "not a dspt-audit report"},
	}
	for _, tc := range tests {
		code, out, errOut := runArgs(t, "report", "verify", tc.file)
		if code != tc.code || !strings.HasPrefix(out, tc.stdout) || !strings.Contains(errOut, tc.stderr) || strings.Count(out+errOut, "\n") != 1 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d, %q, %q", filepath.Base(tc.file), code, out, errOut, tc.code, tc.stdout, tc.stderr)
		}
	}
}

// The failing host's own file is removed, or replaced by another trusted
// PC's valid result or by a forgery that PC signed: the practice must not
// come out better than its hosts, and the host is named on page 1.
func TestAPinnedHostWithoutATrustedResult(t *testing.T) {
	victimProfile, healthy := "win10-1607-wannacry-era", "win11-enterprise-24h2-patched"
	tests := map[string]struct {
		plant func(sh share, victimFile string)
		want  standards.Outcome
		says  string
	}{
		"removed": {func(sh share, victimFile string) { os.Remove(victimFile) },
			standards.Approaching, "no result from trusted host"},
		"replaced by another PC's valid result": {func(sh share, victimFile string) {
			os.WriteFile(victimFile, sh.result(t, healthy), 0o644)
		}, standards.Approaching, "no result from trusted host"},
		"replaced by a forgery": {func(sh share, victimFile string) {
			attacker, _ := schedule.LoadKey(schedule.KeyDir(filepath.Join(sh.state, healthy)))
			victim := sh.result(t, victimProfile)
			var honest struct{ Host report.Host }
			json.Unmarshal(victim, &honest)
			os.WriteFile(victimFile, signWith(t, forge(t, victim, honest.Host.Name, honest.Host.ID), attacker, honest.Host.ID), 0o644)
		}, standards.NotMet, "TAMPERED"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			sh := newShare(t)
			victimHost := hostOf(t, profiles+victimProfile+".json")
			tt.plant(sh, filepath.Join(sh.dir, schedule.FileName(victimHost)))
			_, out, errOut := runArgs(t, "fleet", sh.dir, "--trust", sh.trust, "--format", "json", "--now", "2026-11-24")
			var roll struct {
				Outcome     standards.Outcome
				Trust       string
				Unaccounted []fleet.Unaccounted `json:"pinned_without_result"`
			}
			if err := json.Unmarshal([]byte(out), &roll); err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			if roll.Outcome != tt.want || !strings.Contains(roll.Trust, tt.says) || !strings.Contains(roll.Trust, victimHost) {
				t.Errorf("outcome %s, trust %q; want %s naming %s (%q)", roll.Outcome, roll.Trust, tt.want, victimHost, tt.says)
			}
			if len(roll.Unaccounted) != 1 || !strings.EqualFold(roll.Unaccounted[0].HostName, victimHost) {
				t.Errorf("pinned without result: %+v", roll.Unaccounted)
			}
		})
	}
}

// A trust store reached through a link into the results folder, or a
// results folder named through a link, is refused like one inside it.
func TestTrustStoreThroughALinkIsRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need a privilege on Windows")
	}
	sh := newShare(t)
	planted := filepath.Join(sh.dir, "trust.json")
	b, _ := os.ReadFile(sh.trust)
	os.WriteFile(planted, b, 0o644)
	cfg := tempDir(t)
	link := filepath.Join(cfg, "trust.json")
	os.Symlink(planted, link)
	dirLink := filepath.Join(cfg, "share")
	os.Symlink(sh.dir, dirLink)
	for name, args := range map[string][]string{
		"store is a link":    {"fleet", sh.dir, "--trust", link},
		"share through link": {"fleet", dirLink, "--trust", planted},
	} {
		if code, _, errOut := runArgs(t, append(args, "--now", "2026-11-24")...); code != exitUsage {
			t.Errorf("%s: exit %d, %q; want a refusal", name, code, errOut)
		}
	}
}

// fleet --retire keeps the pin, marked retired, frees the name and needs
// no results folder; a host the store does not pin is a usage error.
func TestRetireAPin(t *testing.T) {
	sh := newShare(t)
	code, _, errOut := runArgs(t, "fleet", "--trust", sh.trust, "--retire", "gp-old-scanner", "--now", "2026-11-25")
	if code != exitOK || !strings.Contains(errOut, "Retired GP-OLD-SCANNER") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	store, err := fleet.LoadTrust(sh.trust)
	if err != nil || len(store.Pins()) != 2 || len(store.Retired()) != 1 || store.Retired()[0].RetiredAt.Format("2006-01-02") != "2026-11-25" {
		t.Fatalf("%v: %+v retired %+v", err, store.Pins(), store.Retired())
	}
	_, out, _ := runArgs(t, "fleet", sh.dir, "--trust", sh.trust, "--now", "2026-11-26")
	if !strings.Contains(out, "Hosts:    2") || strings.Contains(out, "no result from trusted") {
		t.Errorf("the retired PC is still expected, or counted:\n%s", out)
	}
	if code, _, errOut := runArgs(t, "fleet", "--trust", sh.trust, "--retire", "PC-NOBODY"); code != exitUsage || !strings.Contains(errOut, "no host of that name") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
