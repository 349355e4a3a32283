package checks

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

var (
	// dpkg's status and apt's lists are read directly: apt-get --simulate
	// would say the same in seconds and 80 MB (see README).
	debInstalled = probe.InstalledDebPackages()
	aptSecurity  = probe.AptSecurityCandidates()
	dnfSecurity  = probe.CommandOutput("dnf", "--cacheonly", "--quiet", "updateinfo", "list", "--security")
	dnfCache     = probe.FilesMatching("/var/cache/dnf/*")
)

// maxListAge is how stale the package manager's view may be before "no
// pending updates" stops meaning anything.
const maxListAge = 7 * 24 * time.Hour

// aptPatches finds the installed packages that a security suite in apt's
// lists has a newer version of. Unlike apt-get dist-upgrade it counts an
// update that apt would hold back, that a pin keeps out, or that needs new
// packages: each leaves the machine without a security fix all the same.
func aptPatches(e *Env) Verdict {
	var installed []probe.DebPackage
	var lists probe.AptSecurityLists
	if v, bad := decodeObservation(e, debInstalled, &installed, "which packages dpkg has installed"); bad {
		return v
	}
	if v, bad := decodeObservation(e, aptSecurity, &lists, "the security updates in apt's lists"); bad {
		return v
	}
	pending, undecided := pendingSecurity(installed, lists.Candidates)
	fresh, freshness := aptFreshness(e, lists.Releases)
	security, unread := securitySuites(lists.Releases)
	var v Verdict
	switch {
	case len(pending) > 0:
		v = verdict(standards.Fail, "%s pending (%s): %s.", plural(len(pending), "security update is", "security updates are"), freshness, abbreviateList(pending, 10))
	case len(unread) > 0:
		return unreadLists(unread)
	case len(undecided) > 0:
		return verdict(standards.Unknown, "Whether these packages have security updates cannot be told, as their versions do not parse: %s.", abbreviateList(undecided, 5))
	case len(security) == 0:
		v = verdict(standards.Unknown, "apt's lists (%s) hold no security suite, so security updates are not known to it.", freshness)
		v.Remediation = "Add the release's security suite to apt's sources (bookworm-security on Debian 12, noble-security on Ubuntu 24.04), run `apt-get update && apt-get upgrade`, and install unattended-upgrades."
		return v
	case !fresh:
		v = verdict(standards.Unknown, "apt reports no pending security update, but its %s, so updates released since are not known to it.", freshness)
	default:
		v = verdict(standards.Pass, "No security update is pending (%s; %d installed packages checked against %s).", freshness, len(installed), strings.Join(security, ", "))
	}
	v.Remediation = "Run `apt-get update && apt-get upgrade` now, and install unattended-upgrades so security updates arrive within 14 days on their own."
	return v
}

// decodeObservation reads q into dst; on failure it returns the verdict
// that the check cannot tell what.
func decodeObservation(e *Env, q probe.Query, dst any, what string) (Verdict, bool) {
	o := e.Observe(q)
	if o.Error != nil {
		return cannotTell(what, o), true
	}
	if err := o.Decode(dst); err != nil {
		return verdict(standards.Unknown, "Could not tell %s: the observation does not decode (%v).", what, err), true
	}
	return Verdict{}, false
}

// pendingSecurity lists "name installed → candidate" for each installed
// package (by name and architecture, an "all" candidate matching any) that
// a security suite has a newer version of, and the packages whose versions
// cannot be compared.
func pendingSecurity(installed []probe.DebPackage, candidates []probe.AptCandidate) (pending, undecided []string) {
	byName := map[string][]probe.DebPackage{}
	arches := map[string]int{}
	for _, p := range installed {
		byName[p.Name] = append(byName[p.Name], p)
		arches[p.Name]++
	}
	type key struct{ name, arch string }
	newest := map[key]debVersion{}
	var order []key
	for _, c := range candidates {
		for _, p := range byName[c.Name] {
			if p.Arch != c.Arch && p.Arch != "all" && c.Arch != "all" {
				continue
			}
			have, err1 := parseDebVersion(p.Version)
			offered, err2 := parseDebVersion(c.Version)
			if err := cmp.Or(err1, err2); err != nil {
				undecided = append(undecided, fmt.Sprintf("%s %s / %s (%v)", p.Name, p.Version, c.Version, err))
				continue
			}
			k := key{p.Name, p.Arch}
			if prev, seen := newest[k]; offered.compare(have) > 0 && (!seen || offered.compare(prev) > 0) {
				if !seen {
					order = append(order, k)
				}
				newest[k] = offered
			}
		}
	}
	for _, k := range order {
		name := k.name
		if arches[name] > 1 {
			name += ":" + k.arch
		}
		var have string
		for _, p := range byName[k.name] {
			if p.Arch == k.arch {
				have = p.Version
			}
		}
		pending = append(pending, fmt.Sprintf("%s %s → %s", name, have, newest[k]))
	}
	return pending, undecided
}

func (v debVersion) String() string {
	s := v.upstream
	if v.epoch != 0 {
		s = fmt.Sprintf("%d:%s", v.epoch, s)
	}
	if v.revision != "" {
		s += "-" + v.revision
	}
	return s
}

// securitySuites names the security suites, and lists the Release files and
// security lists that could not be read: a suite that could not be read
// may be a security suite.
func securitySuites(releases []probe.AptRelease) (suites []string, unread []probe.Error) {
	for _, r := range releases {
		if r.Error != nil {
			unread = append(unread, probe.Error{Class: r.Error.Class, Detail: fmt.Sprintf("%s: %s", r.Path, r.Error.Detail)})
		}
		if !r.Security {
			continue
		}
		suites = append(suites, cmp.Or(r.Suite, r.Codename, r.Path))
		if len(r.Lists) == 0 {
			unread = append(unread, probe.Error{Class: probe.NotFound, Detail: fmt.Sprintf("%s: the suite has no Packages list", r.Path)})
		}
		for _, l := range r.Lists {
			if l.Error != nil {
				unread = append(unread, probe.Error{Class: l.Error.Class, Detail: fmt.Sprintf("%s: %s", l.Path, l.Error.Detail)})
			}
		}
	}
	return slices.Compact(suites), unread
}

func unreadLists(unread []probe.Error) Verdict {
	status := standards.Unknown
	var reasons []string
	for _, e := range unread {
		if e.Class == probe.AccessDenied {
			status = standards.NeedsAdmin
		}
		reasons = append(reasons, fmt.Sprintf("%s (%s)", e.Detail, e.Class))
	}
	v := verdict(status, "No security update was found, but apt's lists could not all be read: %s.", abbreviateList(reasons, 3))
	if status == standards.NeedsAdmin {
		v.Remediation = "Run dspt-audit as root so that apt's lists can be read."
	}
	return v
}

// aptFreshness judges the security suites' lists by their oldest Release
// file (the time apt fetched it) and their Valid-Until dates; with no
// security suite, by the newest Release file of all.
func aptFreshness(e *Env, releases []probe.AptRelease) (bool, string) {
	var oldest, newest time.Time
	var expired []string
	security := false
	for _, r := range releases {
		if r.Modified.After(newest) {
			newest = r.Modified
		}
		if !r.Security {
			continue
		}
		if !security || r.Modified.Before(oldest) {
			oldest = r.Modified
		}
		security = true
		if until, ok := parseReleaseDate(r.ValidUntil); ok && e.Now.After(until) {
			expired = append(expired, fmt.Sprintf("%s expired on %s", cmp.Or(r.Suite, r.Path), until.Format(time.DateOnly)))
		}
	}
	if !security {
		oldest = newest
	}
	age := time.Duration(0)
	if !oldest.IsZero() {
		age = e.Now.Sub(oldest)
	}
	freshness := fmt.Sprintf("package lists refreshed %s ago", humanAge(age))
	if len(expired) > 0 {
		freshness += "; " + strings.Join(expired, ", ")
	}
	return !oldest.IsZero() && age <= maxListAge && len(expired) == 0, freshness
}

// parseReleaseDate reads a Release file's date: RFC 1123 in UTC, as
// Debian's and Ubuntu's archives write it.
func parseReleaseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC1123, time.RFC1123Z} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func dnfPatches(e *Env) Verdict {
	o := e.Observe(dnfSecurity)
	out, err := o.Output()
	if err != nil {
		return cannotTell("the pending security updates (dnf updateinfo)", o)
	}
	var security []string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 3 {
			security = append(security, fmt.Sprintf("%s (%s)", f[2], f[0]))
		}
	}
	age, ok := newestAge(e, dnfCache)
	v := judgePending(security, nil, ok && age <= maxListAge, fmt.Sprintf("dnf metadata cached %s ago", humanAge(age)), "dnf")
	v.Remediation = "Run `dnf upgrade --security` now, and enable dnf-automatic (upgrade_type = security) so security updates arrive within 14 days on their own."
	return v
}

func judgePending(security, other []string, fresh bool, freshness, tool string) Verdict {
	switch {
	case len(security) > 0:
		return verdict(standards.Fail, "%s pending (%s): %s.", plural(len(security), "security update is", "security updates are"), freshness, abbreviateList(security, 10))
	case !fresh:
		return verdict(standards.Unknown, "%s reports no pending security update, but its %s, so updates released since are not known to it.", tool, freshness)
	}
	return verdict(standards.Pass, "No security update is pending (%s; %d other updates pending).", freshness, len(other))
}

// newestAge is how long ago the newest matching file changed.
func newestAge(e *Env, q probe.Query) (time.Duration, bool) {
	var files []probe.FileEntry
	if e.Observe(q).Decode(&files) != nil || len(files) == 0 {
		return 0, false
	}
	newest := files[0].Modified
	for _, f := range files {
		if f.Modified.After(newest) {
			newest = f.Modified
		}
	}
	return e.Now.Sub(newest), true
}

func humanAge(d time.Duration) string {
	switch {
	case d <= 0:
		return "an unknown time"
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

func abbreviateList(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
}
