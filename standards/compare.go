package standards

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Data files are compared with the built-in facts by key, never by
// position: a file that lists series or releases in another order changes
// nothing, one that leaves a key out is refused.

func (f *WindowsUpdateFile) compare(b Body) ([]FactChange, error) {
	base := b.(*WindowsUpdateFile)
	for _, old := range base.Series {
		s, ok := f.series(old.ID)
		if !ok {
			return nil, fmt.Errorf("update series %s (%s) is missing: a data file may add series, never drop one", old.ID, old.Name)
		}
		for _, build := range old.Builds {
			if !slices.Contains(s.Builds, build) {
				return nil, fmt.Errorf("update series %s no longer lists build %d", old.ID, build)
			}
		}
		for _, ch := range old.Channels {
			if !slices.Contains(s.Channels, ch) {
				return nil, fmt.Errorf("update series %s no longer lists the %s channel", old.ID, ch)
			}
		}
		if err := keepsUpdates(old.ID, old.Updates, s.Updates); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// keepsUpdates checks that every built-in monthly release is still there,
// unchanged: only new months can be added.
func keepsUpdates(series string, old, updates []Update) error {
	for _, u := range old {
		i := slices.IndexFunc(updates, func(n Update) bool { return n.Date == u.Date })
		if i < 0 {
			return fmt.Errorf("update series %s: the built-in %s (.%d) is missing: only new months can be added", series, u.Label(), u.UBR)
		}
		if n := updates[i]; n.UBR != u.UBR || n.KB != u.KB || n.FirstUBR != u.FirstUBR {
			return fmt.Errorf("update series %s: %s says %s .%d where the built-in data says %s .%d: only new months can be added", series, u.Date, n.KB, n.UBR, u.KB, u.UBR)
		}
	}
	return nil
}

func (f *WindowsUpdateFile) series(id string) (UpdateSeries, bool) {
	for _, s := range f.Series {
		if s.ID == id {
			return s, true
		}
	}
	return UpdateSeries{}, false
}

// Key identifies a release: a build number means different releases on
// different channels (26100 is Windows 11 24H2, LTSC 2024 and Server 2025).
func (r WindowsRelease) Key() string { return fmt.Sprintf("%s %d", r.Channel, r.Build) }

func (f *WindowsReleaseFile) compare(b Body) ([]FactChange, error) {
	base := b.(*WindowsReleaseFile)
	var changes []FactChange
	for _, old := range base.Releases {
		i := slices.IndexFunc(f.Releases, func(r WindowsRelease) bool { return r.Key() == old.Key() })
		if i < 0 {
			return nil, fmt.Errorf("release %s (%s) is missing: a data file may add releases, never drop one", old.Name(), old.Key())
		}
		r := f.Releases[i]
		for _, family := range slices.Sorted(maps.Keys(old.End)) {
			end, ok := r.End[family]
			if !ok {
				return nil, fmt.Errorf("release %s has no %s end date any more", old.Name(), family)
			}
			changes = appendChange(changes, old.Key(), "end ("+family+")", old.End[family].String(), end.String())
		}
		changes = appendChange(changes, old.Key(), "ESU programme", old.ESU, r.ESU)
	}
	for _, old := range base.ESU {
		p, ok := f.ESUProgram(old.Program)
		if !ok {
			return nil, fmt.Errorf("ESU programme %s is missing", old.Program)
		}
		for _, y := range old.Years {
			i := slices.IndexFunc(p.Years, func(n ESUYear) bool { return n.Year == y.Year })
			if i < 0 {
				return nil, fmt.Errorf("ESU programme %s: year %d is missing", old.Program, y.Year)
			}
			n := p.Years[i]
			changes = appendChange(changes, "esu "+old.Program, fmt.Sprintf("year %d end", y.Year), y.End.String(), n.End.String())
			changes = appendChange(changes, "esu "+old.Program, fmt.Sprintf("year %d licence", y.Year), y.LicenseID, n.LicenseID)
		}
	}
	return changes, nil
}

// Key identifies a Linux release as /etc/os-release does: "almalinux 8".
func (r LinuxRelease) Key() string { return r.ID + " " + r.Version }

func (f *LinuxReleaseFile) compare(b Body) ([]FactChange, error) {
	base := b.(*LinuxReleaseFile)
	var changes []FactChange
	for _, old := range base.Releases {
		i := slices.IndexFunc(f.Releases, func(r LinuxRelease) bool { return r.Key() == old.Key() })
		if i < 0 {
			return nil, fmt.Errorf("release %s (%s) is missing: a data file may add releases, never drop one", old.Name, old.Key())
		}
		r := f.Releases[i]
		changes = appendChange(changes, old.Key(), "end", old.End.String(), r.End.String())
		changes = appendChange(changes, old.Key(), "security_end", dateOrNone(old.SecurityEnd), dateOrNone(r.SecurityEnd))
	}
	return changes, nil
}

func dateOrNone(d *Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

func (s *SoftwareFile) compare(b Body) ([]FactChange, error) {
	base := b.(*SoftwareFile)
	var changes []FactChange
	for _, old := range base.Products {
		i := slices.IndexFunc(s.Products, func(p EOLProduct) bool { return p.Product == old.Product })
		if i < 0 {
			return nil, fmt.Errorf("product %q is missing: a data file may add programs, never drop one", old.Product)
		}
		p := s.Products[i]
		changes = appendChange(changes, old.Product, "ended", old.Ended.String(), p.Ended.String())
		changes = appendChange(changes, old.Product, "version_below", fmt.Sprint(old.VersionBelow), fmt.Sprint(p.VersionBelow))
		changes = appendChange(changes, old.Product, "match", old.Match, p.Match)
	}
	return changes, nil
}

func (e *ExploitFile) compare(b Body) ([]FactChange, error) {
	base := b.(*ExploitFile)
	var changes []FactChange
	for _, old := range base.Flaws {
		i := slices.IndexFunc(e.Flaws, func(f Flaw) bool { return f.ID == old.ID })
		if i < 0 {
			return nil, fmt.Errorf("flaw %s is missing: a data file may add flaws, never drop one", old.ID)
		}
		f := e.Flaws[i]
		for _, r := range old.Releases {
			j := slices.IndexFunc(f.Releases, func(n FlawFix) bool { return n.Build == r.Build })
			if j < 0 {
				return nil, fmt.Errorf("flaw %s: release %d is missing", old.ID, r.Build)
			}
			n := f.Releases[j]
			changes = appendChange(changes, old.ID, fmt.Sprintf("build %d fixed by", r.Build), fixLabel(r), fixLabel(n))
		}
	}
	return changes, nil
}

func fixLabel(f FlawFix) string {
	if len(f.Hotfixes) > 0 {
		return strings.Join(f.Hotfixes, "/")
	}
	return fmt.Sprintf("%s .%d", f.KB, f.UBR)
}

func appendChange(changes []FactChange, key, field, builtIn, value string) []FactChange {
	if builtIn == value {
		return changes
	}
	return append(changes, FactChange{Key: key, Field: field, BuiltIn: builtIn, Value: value})
}

var kbPattern = regexp.MustCompile(`^KB[0-9]{6,8}$`)

// checkDates refuses a fact dated outside any plausible range.
func checkDates(what string, dates ...Date) error {
	for _, d := range dates {
		if d.IsZero() {
			return fmt.Errorf("%s has no date", what)
		}
		if err := plausible(d); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}
