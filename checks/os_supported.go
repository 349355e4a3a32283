package checks

import (
	"fmt"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// warnBeforeEnd is how long before end of support a warning starts.
const warnBeforeEnd = 90

var (
	osRelease    = probe.FileContents("/etc/os-release")
	osReleaseLib = probe.FileContents("/usr/lib/os-release")
)

// OSSupported fails a machine whose operating system no longer gets
// security updates: NDG standard 8, "no unsupported operating systems".
func OSSupported() *Check {
	return &Check{
		ID:        "os-supported",
		Title:     "Operating system is supported by its vendor",
		Severity:  standards.Critical,
		Platforms: []string{Windows, Linux},
		Mappings: standards.Mappings{
			NDG:             []int{8},
			DSPTItems:       []string{"8.1.4", "8.2.1", "7.1.6"},
			DSPT:            []string{"8.1/8.2 (v5, Category 1)", "B4.d (CAF)"},
			CyberEssentials: []string{"Security update management"},
			CAF:             []string{"B4.d", "A3.a"},
		},
		Remediation:  "Upgrade to a Windows 11 release still in servicing for this edition, or enrol in Extended Security Updates where offered; until then record the device, its risk and its owner as DSPT evidence item 8.2.1 asks.",
		Remediations: map[string]string{Linux: "Upgrade to a release of the distribution still receiving security updates (for example Debian 12, Ubuntu 24.04 LTS), or enrol in the vendor's extended support (Ubuntu Pro) where offered; until then record the device, its risk and its owner as DSPT evidence item 8.2.1 asks."},
		Reads:        append(append([]probe.Query{}, windowsVersionReads...), esuLicences.Query, osRelease, osReleaseLib),
		Evaluate:     evaluateOSSupported,
	}
}

func evaluateOSSupported(e *Env) Verdict {
	if e.Host.OS == Linux {
		return linuxOSSupported(e)
	}
	s, bad := windowsServicing(e)
	if bad != nil {
		return *bad
	}
	v := judgeServicing(e, s)
	v.Summary += productNameNote(s.version) + changedFacts(e, "windows-releases", s.release.Key(), "esu "+s.release.ESU)
	return v
}

// changedFacts names, for a verdict's summary, the facts about these keys
// that a data file changed from the built-in ones, with both values and the
// file, so a verdict that rests on a changed fact says so.
func changedFacts(e *Env, kind string, keys ...string) string {
	var parts []string
	for _, key := range keys {
		for _, c := range e.Data.ChangesTo(kind, key) {
			parts = append(parts, fmt.Sprintf("%s %s is %s in %s (built-in: %s)", c.Key, c.Field, c.Value, c.File, c.BuiltIn))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " Data file: " + strings.Join(parts, "; ") + "."
}

func judgeServicing(e *Env, s servicing) Verdict {
	today := e.Today()
	what := describeVersion(s.version, s.release)
	note := ""
	if s.endNote != "" {
		note = " (" + s.endNote + ")"
	}
	if !s.ended(today) {
		return supportWindow(today, s.end, fmt.Sprintf("%s is in servicing for %s editions until %s%s", what, familyName(s.family), s.end, note))
	}
	year, bad := esuCover(e, s)
	if bad != nil {
		bad.Summary = fmt.Sprintf("%s: servicing ended %s; %s", what, s.end, bad.Summary)
		return *bad
	}
	if year != nil {
		return supportWindow(today, year.End, fmt.Sprintf("%s: servicing ended %s, but Extended Security Updates Year %d covers it until %s", what, s.end, year.Year, year.End))
	}
	v := verdict(standards.Fail, "%s: servicing for %s editions ended %s, %d days ago%s; it no longer receives security updates.",
		what, familyName(s.family), s.end, s.end.DaysUntil(today), note)
	if s.release.ESU != "" {
		v.Summary += " No active Extended Security Updates licence was found for the current ESU year."
	}
	return v
}

// supportWindow passes, or warns when the end is within warnBeforeEnd days.
func supportWindow(today, end standards.Date, what string) Verdict {
	left := today.DaysUntil(end)
	if left <= warnBeforeEnd {
		v := verdict(standards.Warn, "%s: %d days of support left. Plan the upgrade now.", what, left)
		return v
	}
	return verdict(standards.Pass, "%s.", what)
}

func familyName(f string) string {
	switch f {
	case standards.HomePro:
		return "Home/Pro"
	case standards.Enterprise:
		return "Enterprise/Education"
	case standards.IoT:
		return "IoT Enterprise LTSC"
	case standards.Server:
		return "Windows Server"
	}
	return f
}

func linuxOSSupported(e *Env) Verdict {
	text, obs, err := readOSRelease(e)
	if err != nil {
		return cannotTell("which Linux release this is", obs...)
	}
	fields := parseOSRelease(text)
	id, version, pretty := fields["ID"], fields["VERSION_ID"], fields["PRETTY_NAME"]
	r, ok := e.Data.LinuxReleases.Release(id, version)
	if !ok {
		v := verdict(standards.Unknown, "%s (ID=%s, VERSION_ID=%q) is not in the Linux release data (as of %s), so its support status is unknown.",
			pretty, id, version, e.Data.LinuxReleases.AsOf)
		v.Remediation = linuxUpgradeAdvice
		return v
	}
	v := judgeLinuxRelease(e.Today(), r)
	v.Summary += changedFacts(e, "linux-releases", r.Key())
	return v
}

func judgeLinuxRelease(today standards.Date, r standards.LinuxRelease) Verdict {
	if today.After(r.End.Time) {
		v := verdict(standards.Fail, "%s: free security support ended %s, %d days ago.", r.Name, r.End, r.End.DaysUntil(today))
		if r.Extended != "" {
			v.Summary += " Beyond that: " + r.Extended + "; if this host is enrolled, record that as evidence."
		}
		v.Remediation = linuxUpgradeAdvice
		return v
	}
	what := fmt.Sprintf("%s is supported until %s", r.Name, r.End)
	if r.SecurityEnd != nil && today.After(r.SecurityEnd.Time) {
		what += fmt.Sprintf(" (%s)", r.Extended)
	}
	return supportWindow(today, r.End, what)
}

const linuxUpgradeAdvice = "Upgrade to a release the distribution still supports (for Debian, the current stable release), or record paid extended support as evidence; until then record the host, its risk and its owner as DSPT evidence item 8.2.1 asks."

func readOSRelease(e *Env) (string, []probe.Observation, error) {
	o := e.Observe(osRelease)
	text, err := o.Text()
	if err == nil {
		return text, nil, nil
	}
	lib := e.Observe(osReleaseLib)
	text, err2 := lib.Text()
	if err2 == nil {
		return text, nil, nil
	}
	return "", []probe.Observation{o, lib}, err
}

// parseOSRelease reads os-release(5) KEY=value lines, unquoting values.
func parseOSRelease(text string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		out[k] = strings.Trim(v, `"'`)
	}
	return out
}
