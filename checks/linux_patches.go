package checks

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

var (
	// A simulated upgrade reads apt's cached lists and changes nothing;
	// without root apt-get -s still works (it skips the lock).
	aptSimulate = probe.CommandOutput("apt-get", "--simulate", "--quiet", "--quiet", "-o", "Debug::NoLocking=1", "dist-upgrade")
	aptLists    = probe.FilesMatching("/var/lib/apt/lists/*Release")
	dnfSecurity = probe.CommandOutput("dnf", "--cacheonly", "--quiet", "updateinfo", "list", "--security")
	dnfCache    = probe.FilesMatching("/var/cache/dnf/*")
)

// maxListAge is how stale the package manager's view may be before "no
// pending updates" stops meaning anything.
const maxListAge = 7 * 24 * time.Hour

// aptInst matches a simulated install: "Inst pkg [old] (new origin [arch])".
var aptInst = regexp.MustCompile(`(?m)^Inst (\S+) (?:\[[^\]]*\] )?\((\S+) ([^\[]*?)\s*\[`)

func aptPatches(e *Env) Verdict {
	o := e.Observe(aptSimulate)
	out, err := o.Output()
	if err != nil {
		return cannotTell("the pending updates (apt-get --simulate)", o)
	}
	var security, other []string
	for _, m := range aptInst.FindAllStringSubmatch(out, -1) {
		entry := fmt.Sprintf("%s %s", m[1], m[2])
		if strings.Contains(strings.ToLower(m[3]), "security") {
			security = append(security, entry)
		} else {
			other = append(other, entry)
		}
	}
	age, ok := newestAge(e, aptLists)
	fresh := fmt.Sprintf("package lists refreshed %s ago", humanAge(age))
	v := judgePending(security, other, ok && age <= maxListAge, fresh, "apt")
	v.Remediation = "Run `apt-get update && apt-get upgrade` now, and install unattended-upgrades so security updates arrive within 14 days on their own."
	return v
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
