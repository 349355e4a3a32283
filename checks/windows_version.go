package checks

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// The version is read from the registry, never from ProductName or
// Win32_OperatingSystem.Caption (shared/windows-facts.md section 2a).
const currentVersionKey = `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`

var (
	regCurrentBuild     = probe.RegistryValue(currentVersionKey, "CurrentBuild")
	regUBR              = probe.RegistryValue(currentVersionKey, "UBR")
	regEditionID        = probe.RegistryValue(currentVersionKey, "EditionID")
	regDisplayVersion   = probe.RegistryValue(currentVersionKey, "DisplayVersion")
	regInstallationType = probe.RegistryValue(currentVersionKey, "InstallationType")
	regProductName      = probe.RegistryValue(currentVersionKey, "ProductName")
)

// esuLicence reads the commercial Windows 10 ESU licences; LicenseStatus 1
// is licensed (shared/windows-facts.md section 1e: Intune detection scripts).
type esuLicence struct {
	ID            *string
	LicenseStatus *uint32
}

var esuLicences = probe.NewWMI[esuLicence](`root\cimv2`,
	"SELECT ID, LicenseStatus FROM SoftwareLicensingProduct WHERE ID='f520e45e-7413-4a34-a497-d2765967d094' OR ID='1043add5-23b1-4afb-9a0f-64343c8f3f8d' OR ID='83d49986-add3-41d7-ba33-87c7bfb5c0fb'")

var windowsVersionReads = []probe.Query{regCurrentBuild, regUBR, regEditionID, regDisplayVersion, regInstallationType, regProductName}

// windowsVersion reads the running version. It fails only when the build or
// UBR cannot be read; the other values are optional.
func windowsVersion(e *Env) (standards.WindowsVersion, *Verdict) {
	var v standards.WindowsVersion
	build, ubr := e.Observe(regCurrentBuild), e.Observe(regUBR)
	s, err1 := build.RegString()
	n, err2 := ubr.RegInt()
	if err1 == nil && err2 != nil && ubr.Is(probe.NotFound) && beforeUBR(s) {
		err2 = nil // Windows 7, 8 and 8.1 have no UBR value: 0 is the truth
	}
	if err1 != nil || err2 != nil {
		bad := cannotTell("the Windows build", build, ubr)
		return v, &bad
	}
	v.CurrentBuild, _ = strconv.Atoi(strings.TrimSpace(s))
	v.UBR = int(n)
	v.EditionID, _ = e.Observe(regEditionID).RegString()
	v.DisplayVersion, _ = e.Observe(regDisplayVersion).RegString()
	v.InstallationType, _ = e.Observe(regInstallationType).RegString()
	v.ProductName, _ = e.Observe(regProductName).RegString()
	if v.CurrentBuild == 0 {
		bad := verdict(standards.Unknown, "CurrentBuild %q is not a build number.", s)
		return v, &bad
	}
	return v, nil
}

// beforeUBR reports whether a CurrentBuild is older than Windows 10 (10240),
// whose registry has no UBR value.
func beforeUBR(build string) bool {
	n, err := strconv.Atoi(strings.TrimSpace(build))
	return err == nil && n > 0 && n < 10240
}

func describeVersion(v standards.WindowsVersion, r standards.WindowsRelease) string {
	edition := v.EditionID
	if edition == "" {
		edition = "edition unknown"
	}
	return fmt.Sprintf("%s (build %d.%d, %s)", r.Name(), v.CurrentBuild, v.UBR, edition)
}

// productNameNote explains a ProductName that contradicts the build, so a
// reader comparing with the registry is not misled.
func productNameNote(v standards.WindowsVersion) string {
	if v.CurrentBuild >= 22000 && strings.HasPrefix(v.ProductName, "Windows 10") {
		return fmt.Sprintf(" (The registry's ProductName says %q, as it does on every Windows 11; the build decides.)", v.ProductName)
	}
	return ""
}

// servicing is where a Windows release stands in its lifecycle today.
type servicing struct {
	version standards.WindowsVersion
	release standards.WindowsRelease
	family  string
	end     standards.Date
	// endNote explains how the end date was chosen when it is not plain.
	endNote string
	// esuYear is the ESU year covering today when a licence for it is active.
	esuYear *standards.ESUYear
}

// windowsServicing identifies the release and its end of servicing for the
// edition. The verdict is non-nil when it cannot be decided.
func windowsServicing(e *Env) (servicing, *Verdict) {
	v, bad := windowsVersion(e)
	if bad != nil {
		return servicing{}, bad
	}
	sv := servicing{version: v}
	r, ok := e.Data.WindowsReleases.Release(v)
	if !ok {
		u := verdict(standards.Unknown, "Build %d (%s channel, EditionID %q) is not in the Windows release data (as of %s); a newer data file may know it.",
			v.CurrentBuild, v.Channel(), v.EditionID, e.Data.WindowsReleases.AsOf)
		u.Remediation = "Run 'dspt-audit data update' for newer lifecycle data, or check the release against Microsoft's lifecycle pages by hand."
		return sv, &u
	}
	sv.release = r
	family, known := v.EditionFamily()
	sv.family = family
	if !known {
		sv.endNote = fmt.Sprintf("EditionID %q is not recognised, so the earlier Home/Pro date is used", v.EditionID)
	}
	end, ok := r.End[family]
	if !ok && family == standards.Enterprise {
		end, ok = r.End[standards.HomePro]
		sv.endNote = "the Enterprise/Education end date is not yet published; Home/Pro's is used as a lower bound"
	}
	if !ok {
		u := verdict(standards.Unknown, "No end-of-servicing date for %s is in the data (as of %s).", describeVersion(v, r), e.Data.WindowsReleases.AsOf)
		return sv, &u
	}
	sv.end = end
	return sv, nil
}

// ended reports whether servicing ended before today.
func (s servicing) ended(today standards.Date) bool { return today.After(s.end.Time) }

// esuCover decides whether an ended release is still covered by ESU. It
// returns the covering year, or a verdict when the licence state cannot be
// read; (nil, nil) means not covered.
func esuCover(e *Env, s servicing) (*standards.ESUYear, *Verdict) {
	prog, ok := e.Data.WindowsReleases.ESUProgram(s.release.ESU)
	if !ok {
		return nil, nil
	}
	today := e.Today()
	var year *standards.ESUYear
	for i := range prog.Years {
		if !today.After(prog.Years[i].End.Time) {
			year = &prog.Years[i]
			break
		}
	}
	if year == nil {
		return nil, nil
	}
	if !today.After(prog.ConsumerEnd.Time) && s.version.UBR >= prog.FirstESUUBR {
		// Until consumer ESU ended, ESU updates arriving is evidence enough.
		return year, nil
	}
	rows, obs := esuLicences.Rows(e)
	if obs.Error != nil {
		v := cannotTell("whether an Extended Security Updates licence is active", obs)
		return nil, &v
	}
	for _, r := range rows {
		if r.ID != nil && strings.EqualFold(*r.ID, year.LicenseID) && r.LicenseStatus != nil && *r.LicenseStatus == 1 {
			return year, nil
		}
	}
	return nil, nil
}
