package checks

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

var aptNow = time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)

// aptEnv replays the two apt probes with the given values (or errors).
func aptEnv(t *testing.T, installed, lists any) *Env {
	t.Helper()
	snap := &probe.Snapshot{SchemaVersion: probe.SnapshotSchemaVersion, CollectedAt: aptNow}
	for _, o := range []struct {
		q     probe.Query
		value any
	}{{debInstalled, installed}, {aptSecurity, lists}} {
		obs := probe.Observation{Key: o.q.Key(), Kind: o.q.Kind, Query: o.q.String()}
		if err, ok := o.value.(*probe.Error); ok {
			obs.Error = err
		} else {
			b, err := json.Marshal(o.value)
			if err != nil {
				t.Fatal(err)
			}
			obs.Value = b
		}
		snap.Observations = append(snap.Observations, obs)
	}
	return &Env{Observer: probe.NewRecorder(context.Background(), probe.NewReplay(snap), time.Second), Now: aptNow}
}

func securityRelease(modified time.Time, lists ...probe.AptList) probe.AptRelease {
	return probe.AptRelease{Path: "/var/lib/apt/lists/x_dists_bookworm-security_InRelease", Modified: modified, Label: "Debian-Security",
		Suite: "oldstable-security", Codename: "bookworm-security", ValidUntil: modified.Add(7 * 24 * time.Hour).Format(time.RFC1123),
		Security: true, Lists: append([]probe.AptList{{Path: "x_main_binary-amd64_Packages", Packages: 2400}}, lists...)}
}

func candidate(name, arch, version string) probe.AptCandidate {
	return probe.AptCandidate{Suite: "oldstable-security", Name: name, Arch: arch, Version: version}
}

func TestAptPatches(t *testing.T) {
	fresh := aptNow.Add(-3 * time.Hour)
	installed := []probe.DebPackage{
		{Name: "libc6", Arch: "amd64", Version: "2.36-9+deb12u9"},
		{Name: "libc6", Arch: "i386", Version: "2.36-9+deb12u10"},
		{Name: "login", Arch: "amd64", Version: "1:4.13+dfsg1-1+deb12u1"},
		{Name: "openjdk-17-jre", Arch: "amd64", Version: "17.0.15+6-1~deb12u1"},
		{Name: "tzdata", Arch: "all", Version: "2025b-0+deb12u1"},
		{Name: "systemd", Arch: "amd64", Version: "252.39-1~deb12u1"},
	}
	upToDate := []probe.AptCandidate{
		candidate("libc6", "i386", "2.36-9+deb12u10"),
		candidate("login", "amd64", "1:4.13+dfsg1-1+deb12u1"),
		candidate("systemd", "amd64", "252.38-1~deb12u1"), // older than installed, from -updates
		candidate("tzdata", "all", "2025b-0+deb12u1"),
	}
	sec := probe.AptSecurityLists{Releases: []probe.AptRelease{securityRelease(fresh)}, Candidates: upToDate}
	with := func(lists probe.AptSecurityLists, f func(*probe.AptSecurityLists)) probe.AptSecurityLists {
		lists.Releases = slices.Clone(lists.Releases)
		lists.Candidates = slices.Clone(lists.Candidates)
		f(&lists)
		return lists
	}
	tests := []struct {
		name      string
		installed any
		lists     any
		want      standards.Status
		says      []string
	}{
		{"up to date", installed, sec, standards.Pass, []string{"No security update is pending", "refreshed 3 hours ago", "6 installed packages checked against oldstable-security"}},
		{"pending, by architecture and with an epoch", installed, with(sec, func(l *probe.AptSecurityLists) {
			l.Candidates = append(l.Candidates,
				candidate("libc6", "amd64", "2.36-9+deb12u10"),
				candidate("libc6", "arm64", "2.36-9+deb12u99"),
				candidate("login", "amd64", "1:4.13+dfsg1-1+deb12u2"),
				candidate("openjdk-17-jre", "amd64", "17.0.19+10-1~deb12u2"),
				candidate("openjdk-17-jre", "amd64", "17.0.17+10-1~deb12u1"))
		}), standards.Fail, []string{"3 security updates are pending", "libc6:amd64 2.36-9+deb12u9 → 2.36-9+deb12u10", "login 1:4.13+dfsg1-1+deb12u1 → 1:4.13+dfsg1-1+deb12u2", "openjdk-17-jre 17.0.15+6-1~deb12u1 → 17.0.19+10-1~deb12u2"}},
		{"an all candidate for an arch package", installed, with(sec, func(l *probe.AptSecurityLists) {
			l.Candidates = append(l.Candidates, candidate("systemd", "all", "252.40-1~deb12u1"))
		}), standards.Fail, []string{"1 security update is pending", "systemd 252.39-1~deb12u1 → 252.40-1~deb12u1"}},
		{"pending whatever the lists' age", installed, with(sec, func(l *probe.AptSecurityLists) {
			l.Releases[0] = securityRelease(aptNow.Add(-90 * 24 * time.Hour))
			l.Candidates = append(l.Candidates, candidate("login", "amd64", "1:4.13+dfsg1-1+deb12u2"))
		}), standards.Fail, []string{"refreshed 90 days ago", "login"}},
		{"stale lists", installed, with(sec, func(l *probe.AptSecurityLists) {
			l.Releases[0] = securityRelease(aptNow.Add(-8 * 24 * time.Hour))
		}), standards.Unknown, []string{"refreshed 8 days ago", "expired on 2026-11-22"}},
		{"expired though recently fetched", installed, with(sec, func(l *probe.AptSecurityLists) {
			l.Releases[0].ValidUntil = "Sat, 21 Nov 2026 10:00:00 UTC"
		}), standards.Unknown, []string{"oldstable-security expired on 2026-11-21"}},
		{"no security suite", installed, probe.AptSecurityLists{Releases: []probe.AptRelease{{Path: "x_bookworm_InRelease", Suite: "stable", Modified: aptNow.Add(-52 * 24 * time.Hour)}}},
			standards.Unknown, []string{"hold no security suite", "refreshed 52 days ago"}},
		{"a list in a compression not read", installed, with(sec, func(l *probe.AptSecurityLists) {
			l.Releases[0] = securityRelease(fresh, probe.AptList{Path: "x_contrib_binary-amd64_Packages.xz", Error: probe.Errorf(probe.Other, "compressed as .xz")})
		}), standards.Unknown, []string{"x_contrib_binary-amd64_Packages.xz: compressed as .xz (other)"}},
		{"an unreadable list but an update pending", installed, with(sec, func(l *probe.AptSecurityLists) {
			l.Releases[0] = securityRelease(fresh, probe.AptList{Path: "x_contrib_binary-amd64_Packages.xz", Error: probe.Errorf(probe.Other, "compressed as .xz")})
			l.Candidates = append(l.Candidates, candidate("login", "amd64", "1:4.13+dfsg1-1+deb12u2"))
		}), standards.Fail, []string{"login"}},
		{"a list denied", installed, with(sec, func(l *probe.AptSecurityLists) {
			l.Releases[0] = securityRelease(fresh, probe.AptList{Path: "x_contrib_binary-amd64_Packages", Error: probe.Errorf(probe.AccessDenied, "permission denied")})
		}), standards.NeedsAdmin, []string{"permission denied"}},
		{"a security suite without lists", installed, with(sec, func(l *probe.AptSecurityLists) {
			l.Releases[0].Lists = nil
		}), standards.Unknown, []string{"the suite has no Packages list"}},
		{"a security suite with no date", installed, with(sec, func(l *probe.AptSecurityLists) {
			l.Releases[0].Modified = time.Time{}
			l.Releases = append(l.Releases, probe.AptRelease{Path: "x_bookworm-updates_InRelease", Suite: "oldstable-updates", Modified: fresh})
		}), standards.Unknown, []string{"refreshed an unknown time ago"}},
		{"a Release file unreadable", installed, with(sec, func(l *probe.AptSecurityLists) {
			l.Releases = append(l.Releases, probe.AptRelease{Path: "y_InRelease", Error: probe.Errorf(probe.Other, "a Suite field longer than 512 bytes")})
		}), standards.Unknown, []string{"y_InRelease"}},
		{"a version that does not parse", installed, with(sec, func(l *probe.AptSecurityLists) {
			l.Candidates = append(l.Candidates, candidate("login", "amd64", ":1.0"))
		}), standards.Unknown, []string{"login", "epoch in version is empty"}},
		{"dpkg status missing", probe.Errorf(probe.NotFound, "no such file"), sec, standards.Unknown, []string{"which packages dpkg has installed"}},
		{"dpkg status denied", probe.Errorf(probe.AccessDenied, "permission denied"), sec, standards.NeedsAdmin, nil},
		{"lists timed out", installed, probe.Errorf(probe.Timeout, "no answer within 10s"), standards.Unknown, []string{"timeout"}},
		{"lists not recorded", installed, probe.Errorf(probe.NotRecorded, "older snapshot"), standards.Unknown, []string{"not_recorded"}},
		{"a value of the wrong shape", installed, []string{"x"}, standards.Unknown, []string{"does not decode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := aptPatches(aptEnv(t, tt.installed, tt.lists))
			if v.Status != tt.want {
				t.Errorf("%s, want %s: %s", v.Status, tt.want, v.Summary)
			}
			for _, s := range tt.says {
				if !strings.Contains(v.Summary, s) {
					t.Errorf("summary %q lacks %q", v.Summary, s)
				}
			}
		})
	}
}

// TestOldSnapshotWithoutDpkgProbes replays a profile recorded before the
// dpkg and apt list probes existed (it holds apt-get --simulate's output,
// with nothing pending): the check must say unknown, never pass.
func TestOldSnapshotWithoutDpkgProbes(t *testing.T) {
	f, err := os.Open("testdata/ubuntu-2404-before-dpkg-probes.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snap, err := probe.ReadSnapshot(f)
	if err != nil {
		t.Fatal(err)
	}
	scan := replay(t, snap, loadData(t))
	for _, r := range scan.Results {
		if r.Check.ID != "patches-current" {
			continue
		}
		if r.Verdict.Status != standards.Unknown || !strings.Contains(r.Verdict.Summary, "not_recorded") {
			t.Errorf("%s: %s", r.Verdict.Status, r.Verdict.Summary)
		}
		return
	}
	t.Fatal("patches-current did not run")
}

// aptGetSecurity runs the simulated upgrade the check used to run and
// returns the packages it would install from a security origin.
var aptGetInst = regexp.MustCompile(`(?m)^Inst (\S+) (?:\[([^\]]*)\] )?\((\S+) ([^\[]*?)\s*\[`)

// TestAptPendingMatchesAptGet cross-checks the readers and the judgement
// with apt-get --simulate dist-upgrade on this machine. Every package apt
// would upgrade from a security origin must be pending here. A package
// pending here that apt does not call a security upgrade must be one apt
// would upgrade to a newer version from another suite, or hold back: its
// installed version is still older than the security suite's.
func TestAptPendingMatchesAptGet(t *testing.T) {
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("apt-get is not installed")
	}
	if testing.Short() {
		t.Skip("apt-get --simulate takes seconds")
	}
	if _, err := os.Stat("/var/lib/dpkg/status"); err != nil {
		t.Skip("no dpkg status")
	}
	out, err := exec.Command("apt-get", "--simulate", "--quiet", "--quiet", "-o", "Debug::NoLocking=1", "dist-upgrade").Output()
	if err != nil {
		t.Skipf("apt-get --simulate: %v", err)
	}
	aptSecurityUpgrades, aptOther := map[string]string{}, map[string]string{}
	for _, m := range aptGetInst.FindAllStringSubmatch(string(out), -1) {
		if strings.Contains(strings.ToLower(m[4]), "security") {
			aptSecurityUpgrades[m[1]] = m[3]
		} else {
			aptOther[m[1]] = m[3]
		}
	}

	rec := probe.NewRecorder(context.Background(), probe.Live{}, time.Minute)
	var installed []probe.DebPackage
	var lists probe.AptSecurityLists
	if err := rec.Observe(debInstalled).Decode(&installed); err != nil {
		t.Fatal(err)
	}
	if err := rec.Observe(aptSecurity).Decode(&lists); err != nil {
		t.Fatal(err)
	}
	if suites, unread := securitySuites(lists.Releases); len(suites) == 0 || len(unread) > 0 {
		t.Skipf("this machine's apt has security suites %q and unreadable lists %v", suites, unread)
	}
	pending, undecided := pendingSecurity(installed, lists.Candidates)
	if len(undecided) > 0 {
		t.Errorf("versions that do not parse: %q", undecided)
	}
	ours := map[string]string{}
	for _, p := range pending {
		name, rest, _ := strings.Cut(p, " ")
		name, _, _ = strings.Cut(name, ":")
		ours[name] = rest[strings.LastIndex(rest, " ")+1:]
	}
	for name, version := range aptSecurityUpgrades {
		if ours[name] == "" {
			t.Errorf("apt-get upgrades %s to %s from a security origin; the check does not see it pending", name, version)
		}
	}
	for name, version := range ours {
		if aptSecurityUpgrades[name] != "" {
			continue
		}
		newer, ok := aptOther[name]
		if !ok {
			t.Logf("%s %s: pending here, held back by apt-get", name, version)
			continue
		}
		if c, err := compareDebVersions(newer, version); err != nil || c <= 0 {
			t.Errorf("%s: pending here (security suite %s) but apt-get upgrades it to %s, not a newer version", name, version, newer)
		}
		t.Logf("%s: pending here (security suite %s); apt-get upgrades it to %s from another suite", name, version, newer)
	}
	t.Logf("%d security updates pending; apt-get --simulate upgrades %d from a security origin and %d others", len(ours), len(aptSecurityUpgrades), len(aptOther))
}

// BenchmarkAptPending reads this machine's dpkg status and apt lists and
// judges them, as a live scan does.
func BenchmarkAptPending(b *testing.B) {
	if _, err := os.Stat("/var/lib/dpkg/status"); err != nil {
		b.Skip("no dpkg status")
	}
	b.ReportAllocs()
	for b.Loop() {
		rec := probe.NewRecorder(context.Background(), probe.Live{}, time.Minute)
		v := aptPatches(&Env{Observer: rec, Now: time.Now()})
		if v.Summary == "" {
			b.Fatal("no verdict")
		}
	}
}
