package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// CustomChecks are the checks files a scan loaded (the practice's or its IT
// supplier's own checks) and the files or checks that did not load.
type CustomChecks struct {
	Files []CustomFile `json:"files,omitempty"`
	// NotLoaded say why a file, or one check in it, was not loaded.
	NotLoaded []CustomProblem `json:"not_loaded,omitempty"`
}

// CustomFile is one checks file read: its path as given, the SHA-256 of the
// bytes read, and the IDs of the checks loaded from it.
type CustomFile struct {
	Path   string   `json:"path"`
	SHA256 string   `json:"sha256"`
	Loaded []string `json:"loaded"`
}

// CustomProblem is why a checks file, or one check in it (ID), was not
// loaded.
type CustomProblem struct {
	Path    string `json:"path"`
	Line    int    `json:"line,omitempty"`
	ID      string `json:"id,omitempty"`
	Message string `json:"message"`
}

// String is the problem on one line: "FILE:LINE: MESSAGE", after the
// check's ID when one check of the file was not loaded.
func (p CustomProblem) String() string {
	where := p.Path
	if p.Line > 0 {
		where = fmt.Sprintf("%s:%d", p.Path, p.Line)
	}
	if p.ID != "" {
		return fmt.Sprintf("%s: %s: %s", p.ID, where, p.Message)
	}
	return where + ": " + p.Message
}

// Limits of what a result may claim of custom checks; a result beyond them
// was not written by dspt-audit.
const (
	maxCustomFiles    = 1000
	maxCustomProblems = 1000
	maxCustomPath     = 1024
	maxCustomText     = 2048
	maxCustomIDLen    = 64
)

// CustomUsed are the results of custom checks, in report order.
func (r *Report) CustomUsed() []CheckResult {
	var out []CheckResult
	for _, c := range r.Results {
		if c.Origin != "" {
			out = append(out, c)
		}
	}
	return out
}

// CustomText says in one line how many custom checks were used (of how
// many loaded, when a platform or --only left some aside) and from which
// files, naming the checks used; empty when the scan read no checks file.
func (r *Report) CustomText() string {
	if r.CustomChecks == nil {
		return ""
	}
	usedBy := map[string][]string{}
	used := r.CustomUsed()
	for _, c := range used {
		usedBy[c.Origin] = append(usedBy[c.Origin], c.ID)
	}
	loaded := 0
	for _, f := range r.CustomChecks.Files {
		loaded += len(f.Loaded)
	}
	text := fmt.Sprintf("%d %s used", len(used), plural(len(used), "custom check", "custom checks"))
	if loaded != len(used) {
		text += fmt.Sprintf(" (of %d loaded)", loaded)
	}
	if refused := len(r.CustomChecks.NotLoaded); refused > 0 {
		text += fmt.Sprintf(", %d not loaded (refused, below)", refused)
	}
	files := r.CustomChecks.Files
	if len(files) == 0 {
		return text + "; no checks file read"
	}
	var named []string
	for _, f := range files {
		named = append(named, fmt.Sprintf("%s (SHA-256 %s; %s)", f.Path, shortHash(f.SHA256), usedText(usedBy[f.Path], len(f.Loaded))))
	}
	return fmt.Sprintf("%s, from %d %s: %s", text, len(files), plural(len(files), "file", "files"), strings.Join(named, "; "))
}

// usedText names the checks of one file that were used, saying how many it
// loaded when that is more.
func usedText(used []string, loaded int) string {
	switch {
	case loaded == 0:
		return "no check loaded"
	case len(used) == 0:
		return fmt.Sprintf("none used; %d loaded", loaded)
	case len(used) < loaded:
		return fmt.Sprintf("%s; %d loaded", strings.Join(used, ", "), loaded)
	}
	return strings.Join(used, ", ")
}

// NotLoadedLines are the custom checks and checks files that did not load,
// one line each.
func (r *Report) NotLoadedLines() []string {
	if r.CustomChecks == nil {
		return nil
	}
	var out []string
	for _, p := range r.CustomChecks.NotLoaded {
		out = append(out, p.String())
	}
	return out
}

// OriginText says where a custom check's result came from: its file and
// the file's SHA-256 when the report has it; empty for a built-in check.
func (r *Report) OriginText(c CheckResult) string {
	if c.Origin == "" {
		return ""
	}
	if f, ok := r.customFile(c.Origin); ok {
		return fmt.Sprintf("Custom check from %s (SHA-256 %s).", c.Origin, shortHash(f.SHA256))
	}
	return "Custom check from " + c.Origin + "."
}

func (r *Report) customFile(path string) (CustomFile, bool) {
	if r.CustomChecks == nil {
		return CustomFile{}, false
	}
	i := slices.IndexFunc(r.CustomChecks.Files, func(f CustomFile) bool { return f.Path == path })
	if i < 0 {
		return CustomFile{}, false
	}
	return r.CustomChecks.Files[i], true
}

// shortHash is the first 12 hex digits of a SHA-256, enough to tell files
// apart on a page; the JSON keeps all 64.
func shortHash(h string) string { return h[:min(12, len(h))] }

// checkCustom validates what a result from elsewhere claims of custom
// checks: bounded, well-formed, and every custom result named by a file.
func checkCustom(rep *Report) error {
	c := rep.CustomChecks
	if c == nil {
		return nil
	}
	if len(c.Files) > maxCustomFiles || len(c.NotLoaded) > maxCustomProblems {
		return fmt.Errorf("the result lists more checks files (%d) or problems (%d) than a scan loads", len(c.Files), len(c.NotLoaded))
	}
	for _, f := range c.Files {
		if err := checkCustomFile(f); err != nil {
			return err
		}
	}
	for _, p := range c.NotLoaded {
		if len(p.Path) > maxCustomPath || len(p.Message) > maxCustomText || len(p.ID) > maxCustomIDLen || p.Line < 0 {
			return fmt.Errorf("the result's custom check problem %.60q is not one a scan writes", p.Path)
		}
	}
	return nil
}

func checkCustomFile(f CustomFile) error {
	if f.Path == "" || len(f.Path) > maxCustomPath {
		return fmt.Errorf("the result names a checks file %.60q that is empty or too long", f.Path)
	}
	if !isSHA256(f.SHA256) {
		return fmt.Errorf("the checks file %.60q has SHA-256 %.80q, not 64 hex digits", f.Path, f.SHA256)
	}
	for _, id := range f.Loaded {
		if !customID(id) {
			return fmt.Errorf("the checks file %.60q claims check %.80q, which is not a custom check ID (%s...)", f.Path, id, checks.CustomPrefix)
		}
	}
	return nil
}

// Recordable says why a loaded custom check could not be recorded in a
// result that report convert and fleet accept (customResult), or nil: a
// well-formed custom ID, an origin, a severity, a title of bounded length.
func Recordable(c *checks.Check) error {
	switch {
	case !customID(c.ID):
		return fmt.Errorf("check ID %q is not %s followed by lower-case letters, digits and hyphens (at most %d characters in all)", c.ID, checks.CustomPrefix, maxCustomIDLen)
	case c.Origin == "" || len(c.Origin) > maxCustomPath:
		return fmt.Errorf("check %s has no checks file, or one whose path is over %d bytes", c.ID, maxCustomPath)
	case c.Severity == 0:
		return fmt.Errorf("check %s has no severity", c.ID)
	case len(c.Title) > maxCustomText:
		return fmt.Errorf("check %s has a title over %d bytes", c.ID, maxCustomText)
	}
	return nil
}

// customID reports whether id is a well-formed custom check ID: the prefix,
// then lower-case letters, digits and hyphens.
func customID(id string) bool {
	rest, ok := strings.CutPrefix(id, checks.CustomPrefix)
	if !ok || rest == "" || len(id) > maxCustomIDLen {
		return false
	}
	for _, c := range rest {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Why a custom check's result is left out of a recount.
const (
	customUnlisted  = "unlisted"  // no checks file of the result lists it
	customMalformed = "malformed" // over-long title, or no severity
)

// customResult says whether r is the result of a custom check the report's
// files account for, and makes its title, mappings and origin fit to show:
// a custom check is not in this build's catalogue, so what the result says
// of it is all there is, bounded and validated. Its mappings keep only the
// NDG standards, DSPT items, Cyber Essentials controls and CAF outcomes
// that exist; dropped names those taken off. When it is not kept, why is
// customUnlisted or customMalformed, or empty for an ID that is not a custom
// check's.
// loaded is the report's loadedChecks.
func (rep *Report) customResult(r *CheckResult, ndg []standards.Standard, loaded map[[2]string]bool) (ok bool, why string, dropped []string) {
	if !customID(r.ID) {
		return false, "", nil
	}
	if !loaded[[2]string{r.Origin, r.ID}] {
		return false, customUnlisted, nil
	}
	if len(r.Title) > maxCustomText || r.Severity == 0 {
		return false, customMalformed, nil
	}
	m := &r.Mappings
	m.NDG = slices.DeleteFunc(slices.Clone(m.NDG), func(n int) bool {
		gone := !slices.ContainsFunc(ndg, func(s standards.Standard) bool { return s.Number == n })
		if gone {
			dropped = append(dropped, fmt.Sprintf("NDG standard %d", n))
		}
		return gone
	})
	keep := func(list []string, what string, exists func(string) bool) []string {
		// Lists are empty, never null, in a report's JSON.
		return slices.DeleteFunc(append([]string{}, list...), func(v string) bool {
			if exists(v) {
				return false
			}
			dropped = append(dropped, fmt.Sprintf("%s %.40q", what, v))
			return true
		})
	}
	m.DSPT = append([]string{}, m.DSPT...)
	m.DSPTItems = keep(m.DSPTItems, "DSPT item", dsptItemExists)
	m.CyberEssentials = keep(m.CyberEssentials, "Cyber Essentials control", func(c string) bool { return slices.Contains(standards.CyberEssentialsControls, c) })
	m.CAF = keep(m.CAF, "CAF outcome", cafOutcome)
	return true, "", dropped
}

// loadedChecks are the checks each checks file of the report loaded, by
// file path and check ID.
func (rep *Report) loadedChecks() map[[2]string]bool {
	loaded := map[[2]string]bool{}
	if rep.CustomChecks == nil {
		return loaded
	}
	for _, f := range rep.CustomChecks.Files {
		for _, id := range f.Loaded {
			loaded[[2]string{f.Path, id}] = true
		}
	}
	return loaded
}

// dsptItemExists reports whether id is an item of the toolkit this build
// judges against.
func dsptItemExists(id string) bool {
	return slices.ContainsFunc(dsptData(), func(it standards.DSPTItem) bool { return it.ID == id })
}

// cafOutcome reports whether c is of the form of a CAF outcome, as the
// checks file loader requires.
func cafOutcome(c string) bool {
	return standards.Mappings{NDG: []int{1}, DSPTItems: []string{"1.1.1"}, CAF: []string{c}}.Validate() == nil
}
