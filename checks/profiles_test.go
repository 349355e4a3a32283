package checks

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

const profileDir = "../testdata/profiles"

func loadData(t testing.TB) *standards.Data {
	t.Helper()
	d, err := standards.Load()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func loadProfile(t testing.TB, name string) *probe.Snapshot {
	t.Helper()
	f, err := os.Open(filepath.Join(profileDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := probe.ReadSnapshot(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

// replay judges a profile at the time it was collected, as scan --from does.
func replay(t testing.TB, s *probe.Snapshot, data *standards.Data) *Scan {
	t.Helper()
	scan, err := Run(context.Background(), probe.NewReplay(s), Options{Checks: All(), Data: data, Clock: func() time.Time { return s.CollectedAt }})
	if err != nil {
		t.Fatal(err)
	}
	return scan
}

type expect struct {
	status standards.Status
	// says are fragments the summary must contain: the value that decided.
	says []string
}

func TestProfiles(t *testing.T) {
	data := loadData(t)
	pass, fail, warn := standards.Pass, standards.Fail, standards.Warn
	profiles := map[string]map[string]expect{
		"win11-enterprise-24h2-patched": {
			"os-supported":    {pass, []string{"Windows 11 24H2", "Enterprise/Education editions until 2027-10-12", `ProductName says "Windows 10 Enterprise"`}},
			"patches-current": {pass, []string{"26100.9445", "KB5124008 (2026-09-08)", "next is due 2026-10-13 (update data as of 2026-09-14)", `lists 2 hotfixes, the newest KB5124008, installed "9/9/2026"`}},
			"smb1-disabled":   {pass, []string{"EnableSMB1Protocol = false", "mrxsmb10 driver not installed"}},
			"firewall-on":     {pass, []string{"Public: on (local setting EnableFirewall = 1), inbound blocked (not set; Windows default)"}},
		},
		"win11-pro-24h2-servicing-ended": {
			"os-supported":    {fail, []string{"Home/Pro editions ended 2026-10-13, 41 days ago"}},
			"patches-current": {fail, []string{"no security updates since its servicing ended on 2026-10-13"}},
			"smb1-disabled":   {pass, nil},
			"firewall-on":     {pass, nil},
		},
		"win10-pro-22h2-esu-year2": {
			"os-supported":    {pass, []string{"servicing ended 2025-10-14", "Extended Security Updates Year 2 covers it until 2027-10-12"}},
			"patches-current": {standards.Unknown, []string{"19045.7801 is newer than the newest update in the data", "since 2026-09-08 cannot be told"}},
			"smb1-disabled":   {pass, []string{"mrxsmb10 Start = 4"}},
			"firewall-on":     {pass, nil},
		},
		"win10-pro-22h2-no-esu": {
			"os-supported":    {fail, []string{"ended 2025-10-14", "No active Extended Security Updates licence"}},
			"patches-current": {fail, []string{"servicing ended on 2025-10-14"}},
			"smb1-disabled":   {pass, nil},
			"firewall-on":     {pass, nil},
		},
		"win10-enterprise-ltsc-2021": {
			"os-supported":    {warn, []string{"Windows 10 Enterprise LTSC 2021", "until 2027-01-12", "50 days of support left"}},
			"patches-current": {fail, []string{"KB5120249 (2026-08-11)", "released since 2026-09-08 are missing: 76 days"}},
			"smb1-disabled":   {pass, nil},
			"firewall-on":     {pass, []string{"Group Policy EnableFirewall = 1"}},
		},
		"win10-1607-wannacry-era": {
			"os-supported":    {fail, []string{"Windows 10 1607", "ended 2018-04-10"}},
			"patches-current": {fail, []string{"servicing ended on 2018-04-10"}},
			"smb1-disabled":   {fail, []string{"SMBv1 server ENABLED (MSFT_SmbServerConfiguration.EnableSMB1Protocol = true)", "client ENABLED (mrxsmb10 Start = 2)"}},
			"firewall-on":     {fail, []string{"Private: OFF (local setting EnableFirewall = 0)", "Public: on (local setting EnableFirewall = 1), inbound ALLOWED (local setting DefaultInboundAction = 0)"}},
		},
		"win11-pro-25h2-public-firewall-off-by-gpo": {
			"os-supported":    {pass, []string{"Windows 11 25H2", "Home/Pro editions until 2027-10-12"}},
			"patches-current": {pass, []string{"KB5124008"}},
			"smb1-disabled":   {pass, nil},
			"firewall-on":     {fail, []string{"Public: OFF (Group Policy EnableFirewall = 0)"}},
		},
		"win11-enterprise-24h2-non-admin": {
			"os-supported":    {pass, nil},
			"patches-current": {pass, []string{"KB5121003 (2026-08-11)"}},
			"smb1-disabled":   {standards.NeedsAdmin, []string{"MSFT_SmbServerConfiguration (access_denied)"}},
			"firewall-on":     {pass, nil},
		},
		"win11-enterprise-24h2-hotpatch-policy-firewall": {
			"os-supported":    {pass, nil},
			"patches-current": {pass, []string{"hotpatch KB5120994 (2026-08-11)"}},
			"smb1-disabled":   {pass, nil},
			"firewall-on":     {pass, []string{"Domain: on (Group Policy EnableFirewall = 1), inbound blocked (Group Policy DefaultInboundAction = 1)"}},
		},
		"windows-server-2025-patched": {
			"os-supported":    {pass, []string{"Windows Server 2025", "until 2034-11-14"}},
			"patches-current": {pass, []string{"26100.33296", "KB5120233 (2026-08-11)"}},
			"smb1-disabled":   {pass, nil},
			"firewall-on":     {pass, nil},
		},
		"debian-12-nftables": {
			"os-supported":    {pass, []string{"Debian 12 (bookworm) is supported until 2028-06-30", "Debian LTS"}},
			"patches-current": {standards.Unknown, []string{"does not yet read pending security updates"}},
			"smb1-disabled":   {standards.NotApplicable, []string{"Samba is not installed"}},
			"firewall-on":     {pass, []string{`"inet filter input" hooks input with policy drop`}},
		},
	}
	files, _ := filepath.Glob(filepath.Join(profileDir, "*.json"))
	if len(files) != len(profiles) {
		t.Errorf("%d profiles in %s, %d with expectations: every profile needs its expected verdicts", len(files), profileDir, len(profiles))
	}
	for name, want := range profiles {
		t.Run(name, func(t *testing.T) {
			scan := replay(t, loadProfile(t, name), data)
			if len(scan.Results) != len(want) {
				t.Errorf("%d results, want %d", len(scan.Results), len(want))
			}
			for _, r := range scan.Results {
				w, ok := want[r.Check.ID]
				if !ok {
					t.Errorf("unexpected result %s", r.Check.ID)
					continue
				}
				if r.Verdict.Status != w.status {
					t.Errorf("%s: %s, want %s: %s", r.Check.ID, r.Verdict.Status, w.status, r.Verdict.Summary)
				}
				for _, frag := range w.says {
					if !strings.Contains(r.Verdict.Summary, frag) {
						t.Errorf("%s: summary %q lacks %q", r.Check.ID, r.Verdict.Summary, frag)
					}
				}
				if len(r.Evidence) == 0 {
					t.Errorf("%s: no evidence", r.Check.ID)
				}
				for _, o := range r.Evidence {
					if Undeclared(o) || o.Is(probe.NotRecorded) {
						t.Errorf("%s: %s", r.Check.ID, o.Error)
					}
				}
			}
		})
	}
}

// TestUnreadableESULicenceIsNeverJudged: a Windows 10 22H2 past its end whose
// licence store cannot be read must not be called supported or unsupported.
func TestUnreadableESULicenceIsNeverJudged(t *testing.T) {
	snap := loadProfile(t, "win10-pro-22h2-esu-year2")
	for i, o := range snap.Observations {
		if o.Key == esuLicences.Key() {
			snap.Observations[i].Value = nil
			snap.Observations[i].Error = probe.Errorf(probe.AccessDenied, "access denied (0x80041003)")
		}
	}
	for _, r := range replay(t, snap, loadData(t)).Results {
		if r.Check.ID != "os-supported" && r.Check.ID != "patches-current" {
			continue
		}
		if r.Verdict.Status != standards.NeedsAdmin || !strings.Contains(r.Verdict.Summary, "Extended Security Updates licence") {
			t.Errorf("%s: %s %q, want needs_admin about the ESU licence", r.Check.ID, r.Verdict.Status, r.Verdict.Summary)
		}
	}
}
