package standards

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ExploitFile is the table of famous Windows flaws and the builds that fix
// them, judged from CurrentBuild and UBR (shared/windows-facts.md section 4).
type ExploitFile struct {
	Provenance
	Flaws []Flaw `json:"flaws"`
}

// Flaw is one mass-exploited Windows vulnerability.
type Flaw struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	CVEs     []string `json:"cves"`
	Released Date     `json:"released"`
	// AffectedFrom is the first build with the flawed code; earlier
	// releases never had it (SMBv3 compression arrived in 1903).
	AffectedFrom int `json:"affected_from_build,omitempty"`
	// FixedFrom is the first build that shipped with the fix: later
	// releases were never exposed.
	FixedFrom int `json:"fixed_from_build"`
	// Releases lists the builds that were exposed and the update fixing
	// each; UBR 0 means the release never received a fix.
	Releases []FlawFix `json:"releases"`
	// Mitigation says what closes the route without the update.
	Mitigation string `json:"mitigation"`
}

// FlawFix is the update that fixes a flaw on one release.
type FlawFix struct {
	Build int    `json:"build"`
	Name  string `json:"name"`
	UBR   int    `json:"ubr,omitempty"`
	KB    string `json:"kb,omitempty"`
	// Hotfixes are the KBs that carry the fix on releases that have no UBR
	// (Windows 7, 8.1, Server 2008/2012): there the installed-hotfix list
	// is the only evidence.
	Hotfixes []string `json:"hotfixes,omitempty"`
}

// Exposure is a build's standing against one flaw.
type Exposure int

// The exposures.
const (
	NotExposed     Exposure = iota // fixed, or shipped fixed
	Exposed                        // a release the fix exists for, below the fixing UBR; or never fixed
	NeedsHotfix                    // only the hotfix list can tell
	UnknownRelease                 // a build the table does not know
)

// Judge places a build against the flaw, returning the release's fix row
// when the build is one of the listed releases.
func (f Flaw) Judge(build, ubr int) (Exposure, FlawFix) {
	for _, r := range f.Releases {
		if r.Build != build {
			continue
		}
		switch {
		case len(r.Hotfixes) > 0:
			return NeedsHotfix, r
		case r.UBR == 0 || ubr < r.UBR:
			return Exposed, r
		}
		return NotExposed, r
	}
	if build >= f.FixedFrom || build < f.AffectedFrom {
		return NotExposed, FlawFix{}
	}
	return UnknownRelease, FlawFix{}
}

func (e *ExploitFile) validate() error {
	for _, f := range e.Flaws {
		if f.ID == "" || f.FixedFrom == 0 || len(f.Releases) == 0 {
			return fmt.Errorf("flaw %q needs an id, fixed_from_build and releases", f.ID)
		}
		for _, r := range f.Releases {
			if r.Build >= f.FixedFrom {
				return fmt.Errorf("flaw %s: release %d is at or after fixed_from_build %d", f.ID, r.Build, f.FixedFrom)
			}
		}
	}
	return nil
}

// SoftwareFile is the table of end-of-life programs matched against the
// programs a machine lists as installed.
type SoftwareFile struct {
	Provenance
	Products []EOLProduct `json:"products"`
}

// EOLProduct is a program, matched by its installed display name (and,
// where the name does not carry the version, a version floor), with the
// date its vendor stopped security updates.
type EOLProduct struct {
	Product string `json:"product"`
	// Match is a case-insensitive regular expression on DisplayName.
	Match string `json:"match"`
	// VersionBelow, when set, limits the match to DisplayVersions whose
	// leading number is below it.
	VersionBelow int `json:"version_below,omitempty"`
	// VersionFrom, when set, limits the match to DisplayVersions whose
	// leading number is at least it (a range of ended release lines).
	VersionFrom int  `json:"version_from,omitempty"`
	Ended       Date `json:"ended"`
	// Warn marks runtime libraries that other programs may still need:
	// found alone they are a warning, not a failure.
	Warn   bool   `json:"warn,omitempty"`
	Source string `json:"source"`
	re     *regexp.Regexp
}

// Matches reports whether an installed program is this product.
func (p *EOLProduct) Matches(name, version string) bool {
	if p.re == nil || !p.re.MatchString(name) {
		return false
	}
	if p.VersionBelow == 0 && p.VersionFrom == 0 {
		return true
	}
	major, err := strconv.Atoi(strings.SplitN(strings.TrimSpace(version), ".", 2)[0])
	if err != nil || major < p.VersionFrom {
		return false
	}
	return p.VersionBelow == 0 || major < p.VersionBelow
}

func (s *SoftwareFile) validate() error {
	seen := map[string]bool{}
	for i := range s.Products {
		p := &s.Products[i]
		if p.Product == "" || p.Match == "" || seen[p.Product] {
			return fmt.Errorf("product %q: every product needs its own name and a match", p.Product)
		}
		seen[p.Product] = true
		if err := checkDates("product "+p.Product, p.Ended); err != nil {
			return err
		}
		re, err := regexp.Compile("(?i)" + p.Match)
		if err != nil {
			return fmt.Errorf("product %q: match: %v", p.Product, err)
		}
		p.re = re
		if p.VersionBelow != 0 && p.VersionFrom >= p.VersionBelow {
			return fmt.Errorf("product %q: version_from %d is not below version_below %d", p.Product, p.VersionFrom, p.VersionBelow)
		}
	}
	return nil
}
