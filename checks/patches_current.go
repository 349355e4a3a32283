package checks

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// patchGraceDays is Cyber Essentials' limit for applying critical and
// high-risk security updates (shared/standards-reference.md section 4).
const patchGraceDays = 14

// hotfix rows are supporting evidence only: Win32_QuickFixEngineering misses
// many cumulative updates (shared/windows-facts.md section 3c).
type hotfix struct {
	HotFixID    *string
	InstalledOn *string
}

var hotfixes = probe.NewWMI[hotfix](`root\cimv2`, "SELECT HotFixID, InstalledOn FROM Win32_QuickFixEngineering")

// PatchesCurrent fails a machine missing a released security update for
// more than 14 days.
func PatchesCurrent() *Check {
	return &Check{
		ID:        "patches-current",
		Title:     "Security updates installed within 14 days of release",
		Severity:  standards.Critical,
		Platforms: []string{Windows, Linux},
		Mappings: standards.Mappings{
			NDG:             []int{8},
			DSPTItems:       []string{"8.3.1"},
			DSPT:            []string{"9.2.3 (v5, Category 1: the 14-day rule)", "B4.d (CAF)"},
			CyberEssentials: []string{"Security update management"},
			CAF:             []string{"B4.d"},
			CIS:             []string{"18.10.92.2.1 (Win10/11 v3.0.0)", "18.10.92.4.3 (Win10/11 v3.0.0)"},
		},
		Remediation:  "Install the latest cumulative update (Settings > Windows Update, or your WSUS/Intune ring) and restart; make sure automatic updates are on so the next one arrives within 14 days.",
		Remediations: map[string]string{Linux: "Install the pending security updates (`apt-get update && apt-get upgrade`, or `dnf upgrade --security`) and restart services or the machine as asked; install unattended-upgrades (or dnf-automatic) so the next ones arrive within 14 days."},
		Reads:        append(append(append([]probe.Query{}, windowsVersionReads...), agentReads...), esuLicences.Query, hotfixes.Query, osRelease, osReleaseLib, debInstalled, aptSecurity, dnfSecurity, dnfCache),
		Evaluate:     evaluatePatchesCurrent,
	}
}

func evaluatePatchesCurrent(e *Env) Verdict {
	if e.Host.OS == Linux {
		return linuxPatches(e)
	}
	s, bad := windowsServicing(e)
	if bad != nil && s.version.CurrentBuild == 0 {
		return *bad
	}
	today := e.Today()
	if bad == nil && s.ended(today) {
		year, esuBad := esuCover(e, s)
		if esuBad != nil {
			return patchedEitherWay(e, s, *esuBad)
		}
		if year == nil {
			return servicingEnded(s)
		}
	}
	return judgeWithAgent(e, s.version)
}

func judgeWithAgent(e *Env, v standards.WindowsVersion) Verdict {
	data, silent := judgePatchLevel(e, v)
	return withAgent(e, data, silent, askAgent(e))
}

func servicingEnded(s servicing) Verdict {
	v := verdict(standards.Fail, "%s has had no security updates since its servicing ended on %s, so it cannot be patched up to date (see os-supported).",
		describeVersion(s.version, s.release), s.end)
	v.Remediation = "Upgrade to a supported release; no update for this release will fix this."
	return v
}

// patchedEitherWay judges a release past its end whose ESU licence could not
// be read. Without a licence it fails (servicing ended); with one it is
// judged against the ESU months in the data. When that fails too, both
// possible licence states fail, so the verdict is fail; otherwise it cannot
// be told.
func patchedEitherWay(e *Env, s servicing, unreadable Verdict) Verdict {
	withESU := judgeWithAgent(e, s.version)
	if withESU.Status != standards.Fail {
		return unreadable
	}
	why := "it could not be read"
	if _, obs := esuLicences.Rows(e); obs.Error != nil {
		why = fmt.Sprintf("SoftwareLicensingProduct could not be read: %s", obs.Error.Class)
	}
	v := verdict(standards.Fail, "%s is not patch-current whether or not it holds an Extended Security Updates licence (%s): without one it has had no security updates since its servicing ended on %s; with one, %s",
		describeVersion(s.version, s.release), why, s.end, lowerFirst(withESU.Summary))
	v.Remediation = "Install the latest Extended Security Update if this PC is enrolled in ESU, otherwise upgrade to a supported release; run dspt-audit elevated so the ESU licence can be read."
	return v
}

func lowerFirst(s string) string {
	if s == "" || strings.HasPrefix(s, "KB") || strings.HasPrefix(s, "Build") {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// linuxPatches asks the package manager, read-only and from its own
// cached state, which security updates are pending.
func linuxPatches(e *Env) Verdict {
	text, obs, err := readOSRelease(e)
	if err != nil {
		return cannotTell("which Linux release this is", obs...)
	}
	f := parseOSRelease(text)
	switch family := f["ID"] + " " + f["ID_LIKE"]; {
	case strings.Contains(family, "debian") || strings.Contains(family, "ubuntu"):
		return aptPatches(e)
	case strings.Contains(family, "rhel") || strings.Contains(family, "fedora") || strings.Contains(family, "centos"):
		return dnfPatches(e)
	}
	return verdict(standards.Unknown, "dspt-audit reads pending updates from apt and dnf only; %s uses neither.", f["PRETTY_NAME"])
}

// judgePatchLevel judges the UBR against the update data. silent says why
// the data cannot judge this build at all; it is empty when it can.
func judgePatchLevel(e *Env, v standards.WindowsVersion) (_ Verdict, silent string) {
	data := e.Data.WindowsUpdates
	series, ok := data.SeriesFor(v.CurrentBuild, v.Channel())
	if !ok {
		return verdict(standards.Unknown, "No monthly update data for build %d on the %s channel (data as of %s), so the patch level cannot be judged.",
				v.CurrentBuild, v.Channel(), data.AsOf),
			fmt.Sprintf("the update data (as of %s) has no series for build %d on the %s channel", data.AsOf, v.CurrentBuild, v.Channel())
	}
	pl := series.PatchLevel(v.UBR)
	today := e.Today()
	build := fmt.Sprintf("Build %d.%d", v.CurrentBuild, v.UBR)
	support := supportingHotfixes(e)
	dataAge := fmt.Sprintf("update data as of %s", data.AsOf)

	if pl.BeyondData {
		next := standards.NextPatchTuesday(pl.Newest.Date)
		seen := fmt.Sprintf("%s is newer than the newest update in the data (%s, .%d; %s)", build, pl.Newest.Label(), pl.Newest.UBR, dataAge)
		switch {
		case today.Before(next.Time):
			return verdict(standards.Pass, "%s and no Patch Tuesday has passed since.%s", seen, support), ""
		case next.DaysUntil(today) <= patchGraceDays:
			return verdict(standards.Warn, "%s. Whether it has the %s security update cannot be told from this data; that is within the 14-day window.%s", seen, next, support), ""
		}
		u := verdict(standards.Unknown, "%s. Whether it has the security updates released since %s cannot be told from this data, so it cannot be called current.%s", seen, next, support)
		u.Remediation = "Run 'dspt-audit data update' (or 'data import' the month's CVRF document where this PC has no internet); meanwhile confirm in Settings > Windows Update that the latest cumulative update is installed."
		return u, fmt.Sprintf("%s is newer than the update data (as of %s), which could not judge it", build, data.AsOf)
	}

	installed := describeLevel(pl)
	var missingSince standards.Date
	var newest string
	if pl.Level.UBR == 0 {
		oldest := series.Updates[0]
		missingSince = oldest.Date
		newest = fmt.Sprintf("the newest in the data is %s", pl.Newest.Label())
		installed = fmt.Sprintf("older than every update in the data (the oldest is %s, .%d)", oldest.Label(), oldest.UBR)
	} else {
		missingSince = standards.NextPatchTuesday(pl.Level.Date)
		if later := series.ReleasedAfter(pl.Level.Date); len(later) > 0 {
			newest = fmt.Sprintf("the newest in the data is %s", later[len(later)-1].Label())
		} else {
			newest = fmt.Sprintf("the %s update is not in the data (%s)", missingSince, dataAge)
		}
	}
	if today.Before(missingSince.Time) {
		return verdict(standards.Pass, "%s has %s, the newest security update; the next is due %s (%s).%s", build, installed, missingSince, dataAge, support), ""
	}
	days := missingSince.DaysUntil(today)
	status := standards.Warn
	if days > patchGraceDays {
		status = standards.Fail
	}
	return verdict(status, "%s has %s; %s. Security updates released since %s are missing: %d days (the limit is %d).%s",
		build, installed, newest, missingSince, days, patchGraceDays, support), ""
}

func describeLevel(pl standards.PatchLevel) string {
	s := "the security fixes of " + pl.Level.Label()
	if pl.Exact == nil {
		return s
	}
	switch pl.Exact.Type {
	case standards.UpdateHotpatch:
		return fmt.Sprintf("hotpatch %s", pl.Exact.Label())
	case standards.UpdatePreview, standards.UpdateOutOfBand:
		return fmt.Sprintf("%s (%s %s, which adds no newer security fixes)", s, pl.Exact.Type, pl.Exact.KB)
	}
	return s
}

// supportingHotfixes quotes Win32_QuickFixEngineering as context; it never
// decides the verdict. InstalledOn's format follows the locale, so it is
// quoted, not parsed; the highest KB number is the newest.
func supportingHotfixes(e *Env) string {
	rows, obs := hotfixes.Rows(e)
	if obs.Error != nil || len(rows) == 0 {
		return ""
	}
	newest, newestKB := hotfix{}, 0
	for _, r := range rows {
		if r.HotFixID == nil {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(*r.HotFixID), "KB")); err == nil && n > newestKB {
			newest, newestKB = r, n
		}
	}
	installed := ""
	if newest.InstalledOn != nil {
		installed = fmt.Sprintf(", installed %q", *newest.InstalledOn)
	}
	return fmt.Sprintf(" Supporting evidence only: Win32_QuickFixEngineering lists %d hotfixes, the newest KB%d%s (it misses many cumulative updates).", len(rows), newestKB, installed)
}
