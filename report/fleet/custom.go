package fleet

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// CustomRollup is what the hosts' newest results say of custom checks:
// which ran on how many hosts, the checks files by SHA-256, and the files
// whose bytes differ between hosts. Custom checks count towards the
// standards they map to as built-in ones do; their titles, severities and
// mappings are as the results record them, since this build cannot know them.
type CustomRollup struct {
	// Hosts counts the hosts whose newest result ran a custom check.
	Hosts int `json:"hosts"`
	// Checks are the custom checks, most hosts first.
	Checks []CustomCheckUse `json:"checks"`
	// Files are the checks files by path and SHA-256, most hosts first.
	Files []CustomFileUse `json:"files"`
	// Differs are the paths whose files differ between hosts.
	Differs []CustomDiff `json:"files_differ,omitempty"`
	// NotLoadedHosts names up to MaxNamed hosts whose newest result lists
	// checks files or checks that did not load; NotLoaded counts them all.
	NotLoaded      int      `json:"hosts_with_checks_not_loaded"`
	NotLoadedHosts []string `json:"hosts_with_checks_not_loaded_named,omitempty"`
}

// CustomCheckUse is one custom check across the hosts.
type CustomCheckUse struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Hosts int    `json:"hosts"`
	Fail  int    `json:"fail"`
}

// CustomFileUse is one version of a checks file: the hosts whose newest
// result loaded it.
type CustomFileUse struct {
	Path   string   `json:"path"`
	SHA256 string   `json:"sha256"`
	Loaded []string `json:"loaded"`
	Hosts  int      `json:"hosts"`
	// Named are up to MaxNamed of those hosts, alphabetically.
	Named []string `json:"hosts_named"`
}

// CustomDiff is a checks file path read with different bytes on different
// hosts: the versions, most hosts first.
type CustomDiff struct {
	Path     string          `json:"path"`
	Versions []CustomFileUse `json:"versions"`
}

// hostCustom is what a host keeps of its newest result's checks files.
type hostCustom struct {
	files     []customKey
	notLoaded bool
}

type customKey struct{ path, sha256 string }

func newHostCustom(c *report.CustomChecks) hostCustom {
	if c == nil {
		return hostCustom{}
	}
	h := hostCustom{notLoaded: len(c.NotLoaded) > 0}
	for _, f := range c.Files {
		h.files = append(h.files, customKey{f.Path, f.SHA256})
	}
	return h
}

// loadedBy remembers which checks each checks file version loaded.
type loadedBy map[customKey][]string

func (l loadedBy) add(c *report.CustomChecks) {
	if c == nil {
		return
	}
	for _, f := range c.Files {
		k := customKey{f.Path, f.SHA256}
		if _, ok := l[k]; !ok {
			l[k] = slices.Clone(f.Loaded)
		}
	}
}

// customRollup tallies the custom checks of the hosts' newest results; nil
// when no host's result read a checks file.
func customRollup(hosts []*Host, tallies []*CheckTally, loaded loadedBy) *CustomRollup {
	out := &CustomRollup{}
	versions := map[customKey]*CustomFileUse{}
	for _, h := range hosts {
		if h.custom.notLoaded {
			out.NotLoaded++
			out.NotLoadedHosts = append(out.NotLoadedHosts, h.Name)
		}
		if ranCustom(h, tallies) {
			out.Hosts++
		}
		for _, k := range h.custom.files {
			v := versions[k]
			if v == nil {
				v = &CustomFileUse{Path: k.path, SHA256: k.sha256, Loaded: loaded[k]}
				versions[k] = v
			}
			v.Hosts++
			v.Named = append(v.Named, h.Name)
		}
	}
	if len(versions) == 0 && out.NotLoaded == 0 {
		return nil
	}
	for _, c := range tallies {
		if strings.HasPrefix(c.ID, checks.CustomPrefix) && c.Hosts() > 0 {
			out.Checks = append(out.Checks, CustomCheckUse{ID: c.ID, Title: c.Title, Hosts: c.Hosts(), Fail: c.Count(standards.Fail)})
		}
	}
	slices.SortFunc(out.Checks, func(a, b CustomCheckUse) int { return cmp.Or(cmp.Compare(b.Hosts, a.Hosts), cmp.Compare(a.ID, b.ID)) })
	for _, v := range versions {
		v.Named = firstNamed(v.Named)
		out.Files = append(out.Files, *v)
	}
	slices.SortFunc(out.Files, compareFileUse)
	out.NotLoadedHosts = firstNamed(out.NotLoadedHosts)
	out.Differs = differing(out.Files)
	return out
}

// ranCustom says whether the host's newest result has a custom check's
// verdict.
func ranCustom(h *Host, tallies []*CheckTally) bool {
	for _, c := range tallies {
		if strings.HasPrefix(c.ID, checks.CustomPrefix) && c.index < len(h.statuses) && h.statuses[c.index] != 0 {
			return true
		}
	}
	return false
}

// compareFileUse orders by path, then most hosts first.
func compareFileUse(a, b CustomFileUse) int {
	return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(b.Hosts, a.Hosts), cmp.Compare(a.SHA256, b.SHA256))
}

// differing groups the versions of each path read with more than one
// SHA-256; files are sorted by path.
func differing(files []CustomFileUse) []CustomDiff {
	var out []CustomDiff
	for i := 0; i < len(files); {
		j := i + 1
		for j < len(files) && files[j].Path == files[i].Path {
			j++
		}
		if j-i > 1 {
			out = append(out, CustomDiff{Path: files[i].Path, Versions: files[i:j]})
		}
		i = j
	}
	return out
}

func firstNamed(names []string) []string {
	slices.Sort(names)
	return names[:min(len(names), MaxNamed)]
}

// customFacts are page 1's lines on custom checks: what ran on how many
// hosts, each checks file by SHA-256, the files that differ between hosts,
// and the hosts where some did not load. None without custom checks.
func (r *Rollup) customFacts() [][2]string {
	c := r.Custom
	if c == nil {
		return nil
	}
	var ran []string
	for _, u := range c.Checks {
		ran = append(ran, fmt.Sprintf("%s (%d %s, %d failing)", u.ID, u.Hosts, plural(u.Hosts, "host", "hosts"), u.Fail))
	}
	facts := [][2]string{{"Custom checks", fmt.Sprintf("%d %s ran on %d of %d hosts, counted towards the standards they map to as each result records them: %s",
		len(c.Checks), plural(len(c.Checks), "custom check", "custom checks"), c.Hosts, len(r.Hosts), orNone(strings.Join(ran, ", ")))}}
	for _, f := range c.Files {
		facts = append(facts, [2]string{"Checks file", fileUseText(f)})
	}
	for _, d := range c.Differs {
		var versions []string
		for _, v := range d.Versions {
			versions = append(versions, fmt.Sprintf("SHA-256 %s on %s", short(v.SHA256), namedHosts(v.Hosts, v.Named)))
		}
		facts = append(facts, [2]string{"Files differ", fmt.Sprintf("%s is not the same file on every host: %s", d.Path, strings.Join(versions, "; "))})
	}
	if c.NotLoaded > 0 {
		facts = append(facts, [2]string{"Not loaded", fmt.Sprintf("checks files or checks did not load on %s (each host's report lists why)", namedHosts(c.NotLoaded, c.NotLoadedHosts))})
	}
	return facts
}

func fileUseText(f CustomFileUse) string {
	loaded := "no check loaded"
	if len(f.Loaded) > 0 {
		loaded = strings.Join(f.Loaded, ", ")
	}
	return fmt.Sprintf("%s (SHA-256 %s; %s) on %s", f.Path, short(f.SHA256), loaded, namedHosts(f.Hosts, f.Named))
}

// namedHosts is "3 hosts: PC-1, PC-2, PC-3", naming up to MaxNamed.
func namedHosts(n int, named []string) string {
	text := fmt.Sprintf("%d %s: %s", n, plural(n, "host", "hosts"), strings.Join(named, ", "))
	if n > len(named) {
		text += fmt.Sprintf(" and %d more", n-len(named))
	}
	return text
}

func short(sha string) string { return sha[:min(12, len(sha))] }

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
