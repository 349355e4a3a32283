package checks

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// What only one platform has: a fix naming one is no fix on the other.
var onlyOn = map[string]*regexp.Regexp{
	Windows: regexp.MustCompile(`(?i)\b(Group Policy|gpedit|Windows Security|registry|regedit|Control Panel|BitLocker|PowerShell|Windows Update|Settings >|Intune|LAPS|wuauserv|W32Time|w32tm|mbr2gpt|Windows 11|Administrators group|(?-i:SYSTEM)|net user)\b`),
	Linux:   regexp.MustCompile(`(?i)\b(Linux|apt|apt-get|dnf|systemctl|systemd|sudo|/etc/|LUKS|dconf|chrony|auditd|ufw|nftables|firewalld|journald|pam|Samba|clamav)\b`),
}

// otherPlatform is the platform whose things a fix on p must not name.
func otherPlatform(p string) string {
	if p == Windows {
		return Linux
	}
	return Windows
}

// Issue 15 item 26: every check's remediation, on every platform it
// applies to, names only that platform's tools.
func TestRemediationNamesOnlyItsPlatform(t *testing.T) {
	for _, c := range All() {
		for _, p := range c.Platforms {
			fix := c.RemediationOn(p)
			if fix == "" {
				t.Errorf("%s on %s: no remediation", c.ID, p)
			}
			if m := onlyOn[otherPlatform(p)].FindString(fix); m != "" {
				t.Errorf("%s on %s: the remediation names %q, which is for %s: %s", c.ID, p, m, otherPlatform(p), fix)
			}
		}
	}
}

// The same holds for the remediations the verdicts give, on every recorded
// machine.
func TestRemediationOfEveryProfileNamesOnlyItsPlatform(t *testing.T) {
	data := loadData(t)
	names, _ := filepath.Glob(filepath.Join(profileDir, "*.json"))
	if len(names) < 10 {
		t.Fatalf("only %d profiles", len(names))
	}
	platforms := map[string]bool{}
	for _, path := range names {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		scan := replay(t, loadProfile(t, name), data)
		platforms[scan.Host.OS] = true
		for _, r := range scan.Results {
			if r.Platform != scan.Host.OS {
				t.Errorf("%s %s: result platform %q, host %q", name, r.Check.ID, r.Platform, scan.Host.OS)
			}
			if m := onlyOn[otherPlatform(scan.Host.OS)].FindString(r.Remediation()); m != "" {
				t.Errorf("%s %s (%s): the remediation names %q: %s", name, r.Check.ID, r.Verdict.Status, m, r.Remediation())
			}
		}
	}
	if !platforms[Windows] || !platforms[Linux] {
		t.Errorf("profiles cover %v, not both platforms", platforms)
	}
}
