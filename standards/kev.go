package standards

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxKEVSize bounds a KEV catalogue after decompression; the 2025
// catalogue is about 1.5 MB.
const MaxKEVSize = 32 << 20

// maxKEVEntries bounds the entries of a catalogue (1,404 in August 2025).
const maxKEVEntries = 100_000

// ErrNotKEV means the bytes are not a CISA KEV catalogue.
var ErrNotKEV = errors.New("not a CISA KEV catalogue")

// KEVCatalog is the part of CISA's Known Exploited Vulnerabilities
// catalogue the windows-kev body is built from.
type KEVCatalog struct {
	Version  string
	Released Date
	Entries  []KEVEntry
}

// KEVEntry is one catalogue entry.
type KEVEntry struct {
	CVE, Vendor, Product, Name string
	Added, Due                 Date
	Ransomware                 bool // knownRansomwareCampaignUse is "Known"
}

var (
	cvePattern     = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,19}$`)
	releasePattern = regexp.MustCompile(`^(client|server) [0-9]{1,6}$`)
)

type kevJSON struct {
	CatalogVersion  *string `json:"catalogVersion"`
	DateReleased    string  `json:"dateReleased"`
	Vulnerabilities []struct {
		CVE        string `json:"cveID"`
		Vendor     string `json:"vendorProject"`
		Product    string `json:"product"`
		Name       string `json:"vulnerabilityName"`
		Added      string `json:"dateAdded"`
		Due        string `json:"dueDate"`
		Ransomware string `json:"knownRansomwareCampaignUse"`
	} `json:"vulnerabilities"`
}

// LooksLikeKEV reports whether a JSON document has the shape of a KEV
// catalogue: a catalogVersion and a vulnerabilities list.
func LooksLikeKEV(b []byte) bool {
	var head struct {
		CatalogVersion  *string           `json:"catalogVersion"`
		Vulnerabilities []json.RawMessage `json:"vulnerabilities"`
	}
	return json.Unmarshal(b, &head) == nil && head.CatalogVersion != nil && head.Vulnerabilities != nil
}

// ParseKEV reads a KEV catalogue, plain or gzip. Every entry must have a
// well-formed CVE and dates; text is cleaned of characters that could act
// on a terminal.
func ParseKEV(b []byte) (KEVCatalog, error) {
	b, err := Gunzip(b, MaxKEVSize, "KEV catalogue")
	if err != nil {
		return KEVCatalog{}, err
	}
	b = bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), " \t\r\n")
	if LooksLikeHTML(b) {
		return KEVCatalog{}, fmt.Errorf("%w: an HTML page (an error page from the server?)", ErrNotKEV)
	}
	var j kevJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return KEVCatalog{}, fmt.Errorf("%w: %v", ErrNotKEV, err)
	}
	if j.CatalogVersion == nil || len(j.Vulnerabilities) == 0 {
		return KEVCatalog{}, fmt.Errorf("%w: no catalogVersion or no vulnerabilities", ErrNotKEV)
	}
	if len(j.Vulnerabilities) > maxKEVEntries {
		return KEVCatalog{}, fmt.Errorf("%w: %d entries is more than any catalogue holds", ErrNotKEV, len(j.Vulnerabilities))
	}
	c := KEVCatalog{Version: kevText(*j.CatalogVersion, 40)}
	if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(j.DateReleased)); err == nil {
		c.Released = DayOf(t)
	}
	for _, v := range j.Vulnerabilities {
		e, err := kevEntry(v.CVE, v.Vendor, v.Product, v.Name, v.Added, v.Due, v.Ransomware)
		if err != nil {
			return KEVCatalog{}, fmt.Errorf("%w: %v", ErrNotKEV, err)
		}
		c.Entries = append(c.Entries, e)
		if e.Added.After(c.Released.Time) {
			c.Released = e.Added
		}
	}
	return c, nil
}

func kevEntry(cve, vendor, product, name, added, due, ransomware string) (KEVEntry, error) {
	if !cvePattern.MatchString(cve) {
		return KEVEntry{}, fmt.Errorf("entry %q: cveID is not of the form CVE-2025-12345", kevText(cve, 40))
	}
	e := KEVEntry{CVE: cve, Vendor: kevText(vendor, 100), Product: kevText(product, 100), Name: kevText(name, 200),
		Ransomware: strings.EqualFold(strings.TrimSpace(ransomware), "Known")}
	var err error
	if e.Added, err = ParseDate(strings.TrimSpace(added)); err != nil {
		return KEVEntry{}, fmt.Errorf("%s: dateAdded: %v", cve, err)
	}
	if due = strings.TrimSpace(due); due != "" {
		if e.Due, err = ParseDate(due); err != nil {
			return KEVEntry{}, fmt.Errorf("%s: dueDate: %v", cve, err)
		}
	}
	if err := checkDates(cve, e.Added); err != nil {
		return KEVEntry{}, err
	}
	return e, nil
}

// kevText replaces characters UnsafeRune names and bounds the length.
func kevText(s string, limit int) string {
	s = strings.Map(func(r rune) rune {
		if UnsafeRune(r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return strings.TrimSpace(s)
}

// windowsComponents are the KEV product values, besides those starting
// with "Windows", that name a part of Windows serviced by its cumulative
// updates (Internet Explorer, MSHTML and EdgeHTML included: on Windows 10
// and 11 they are fixed by the Windows update, not by their own).
var windowsComponents = []string{
	"Win32k", "SMBv1", "SMBv1 server", "SMBv3", "Remote Desktop Services", "Netlogon", "Active Directory",
	"DirectX Graphics Kernel (DXGKRNL)", "Graphics Device Interface (GDI)", "Graphics Component",
	"Enhanced Cryptographic Provider", "DWM Core Library", "Streaming Service", "Streaming Service Proxy",
	"Client-Server Run-time Subsystem (CSRSS)", "Ancillary Function Driver (afd.sys)",
	"Kerberos Key Distribution Center (KDC)", "Task Scheduler", "ATM Font Driver", "HTTP.sys",
	"HTTP Protocol Stack", "WinVerifyTrust function", "Hyper-V RemoteFX", "Update Notification Manager",
	"Input Method Editor (IME) Japanese", "SmartScreen Prompt", "MSHTML", "Internet Explorer",
	"Internet Explorer Scripting Engine", "Edge", "Edge and Internet Explorer", "Internet Explorer and Edge",
	"WordPad", "XML Core Services", "MSCOMCTL.OCX",
}

// IsWindowsKEVProduct reports whether a KEV entry's vendor and product name
// a Windows component: Microsoft, and a product that starts with "Windows"
// or is one of the components Windows updates fix.
func IsWindowsKEVProduct(vendor, product string) bool {
	product = strings.TrimSpace(product)
	if strings.TrimSpace(vendor) != "Microsoft" {
		return false
	}
	return strings.HasPrefix(product, "Windows") || slices.Contains(windowsComponents, product)
}

// KEVFile is the windows-kev body: the KEV catalogue's Windows entries,
// each with the builds that fix it per Windows release, from the CVRF
// months the data holds.
type KEVFile struct {
	Provenance
	Catalog string `json:"catalog_version"`
	// Months are the CVRF documents the fixes were read from; a flaw whose
	// month is not among them has no fixes and is never judged fixed.
	Months []KEVMonth `json:"cvrf_months"`
	Flaws  []KEVFlaw  `json:"flaws"`
}

// KEVMonth is one CVRF document the fixes come from.
type KEVMonth struct {
	ID       string `json:"id"`
	Released Date   `json:"released"`
	// Releases are the Windows releases the document fixes anything on
	// ("client 26100"): a release among them that a flaw of the month
	// lists no fix for is not affected; one not among them was not
	// serviced that month, and its exposure cannot be told.
	Releases []string `json:"releases,omitempty"`
}

// ReleaseKey names a Windows version's release as KEVMonth.Releases do;
// LTSC reads as client, as CVRF names it.
func ReleaseKey(v WindowsVersion) string {
	channel := v.Channel()
	if channel == ChannelLTSC {
		channel = ChannelClient
	}
	return fmt.Sprintf("%s %d", channel, v.CurrentBuild)
}

// Serviced reports whether the month's document fixes anything on the
// version's release.
func (f *KEVFile) Serviced(month string, v WindowsVersion) bool {
	i := slices.IndexFunc(f.Months, func(m KEVMonth) bool { return m.ID == month })
	return i >= 0 && slices.Contains(f.Months[i].Releases, ReleaseKey(v))
}

// KEVFlaw is one exploited-in-the-wild flaw in Windows (or Edge).
type KEVFlaw struct {
	CVE        string `json:"cve"`
	Name       string `json:"name"`
	Product    string `json:"product"`
	Added      Date   `json:"date_added"`
	Due        *Date  `json:"due_date,omitempty"`
	Ransomware bool   `json:"ransomware"`
	// Month is the CVRF document that gives the fixes; empty when none the
	// data holds names the CVE ("fix build unknown").
	Month string   `json:"cvrf_month,omitempty"`
	Fixes []KEVFix `json:"fixes,omitempty"`
	// Edge is the Microsoft Edge version that fixes the flaw, for flaws
	// CVRF gives an Edge fix for.
	Edge *EdgeFix `json:"edge,omitempty"`
}

// KEVFix is the update that fixes a flaw on one Windows release (build on
// a channel): every UBR from UBR up, and the hotpatch builds listed.
type KEVFix struct {
	Channel  string `json:"channel"`
	Build    int    `json:"build"`
	UBR      int    `json:"ubr"`
	KB       string `json:"kb"`
	Date     Date   `json:"date"`
	Hotpatch []int  `json:"hotpatch_ubrs,omitempty"`
}

// EdgeFix is the first Edge version with the fix.
type EdgeFix struct {
	Version string `json:"version"`
	Date    Date   `json:"date"`
}

// Judged reports whether the data knows the flaw's fixes.
func (f KEVFlaw) Judged() bool { return f.Month != "" }

// FixFor returns the fix for a Windows version's release. CVRF names LTSC
// releases by their Windows 10 version, so LTSC reads the client rows.
func (f KEVFlaw) FixFor(v WindowsVersion) (KEVFix, bool) {
	key := ReleaseKey(v)
	for _, x := range f.Fixes {
		if fmt.Sprintf("%s %d", x.Channel, x.Build) == key {
			return x, true
		}
	}
	return KEVFix{}, false
}

// Fixes reports whether a UBR carries the fix: the fixing UBR or later, or
// one of the month's hotpatch builds.
func (x KEVFix) Fixes(ubr int) bool { return ubr >= x.UBR || slices.Contains(x.Hotpatch, ubr) }

// Flaw returns the entry for a CVE.
func (f *KEVFile) Flaw(cve string) (KEVFlaw, bool) {
	i := slices.IndexFunc(f.Flaws, func(k KEVFlaw) bool { return k.CVE == cve })
	if i < 0 {
		return KEVFlaw{}, false
	}
	return f.Flaws[i], true
}

func (f *KEVFile) validate() error {
	if len(f.Flaws) > maxKEVEntries {
		return fmt.Errorf("%d flaws is more than the KEV catalogue holds", len(f.Flaws))
	}
	months := map[string]bool{}
	for _, m := range f.Months {
		if !validCVRFID(m.ID) || months[m.ID] {
			return fmt.Errorf("CVRF month %q is malformed or listed twice", m.ID)
		}
		months[m.ID] = true
		if err := checkDates("CVRF month "+m.ID, m.Released); err != nil {
			return err
		}
		for _, r := range m.Releases {
			if !releasePattern.MatchString(r) {
				return fmt.Errorf("CVRF month %s: release %q is not of the form \"client 26100\"", m.ID, r)
			}
		}
	}
	seen := map[string]bool{}
	for _, k := range f.Flaws {
		if !cvePattern.MatchString(k.CVE) || seen[k.CVE] {
			return fmt.Errorf("flaw %q: every flaw needs its own CVE id", k.CVE)
		}
		seen[k.CVE] = true
		if err := checkDates(k.CVE+" date_added", k.Added); err != nil {
			return err
		}
		if k.Month != "" && !months[k.Month] {
			return fmt.Errorf("%s names CVRF month %s, which is not in cvrf_months", k.CVE, k.Month)
		}
		if k.Month == "" && (len(k.Fixes) > 0 || k.Edge != nil) {
			return fmt.Errorf("%s has fixes but no CVRF month they come from", k.CVE)
		}
		for _, x := range k.Fixes {
			if err := x.check(k.CVE); err != nil {
				return err
			}
		}
		if k.Edge != nil {
			if _, ok := parseVersion(k.Edge.Version); !ok {
				return fmt.Errorf("%s: Edge version %q is not a dotted version", k.CVE, k.Edge.Version)
			}
		}
	}
	return nil
}

func (x KEVFix) check(cve string) error {
	if x.Channel != ChannelClient && x.Channel != ChannelServer || x.Build <= 0 || x.UBR <= 0 || !kbPattern.MatchString(x.KB) {
		return fmt.Errorf("%s: fix %s %d.%d %q needs a channel (client, server), a build, a UBR and a KB number", cve, x.Channel, x.Build, x.UBR, x.KB)
	}
	return checkDates(fmt.Sprintf("%s fix for %d", cve, x.Build), x.Date)
}

// compare refuses a file that drops a flaw or a fix the built-in data has,
// or that forgets a CVRF month: a newer file may add, never lose.
func (f *KEVFile) compare(b Body) ([]FactChange, error) {
	base := b.(*KEVFile)
	for _, m := range base.Months {
		if !slices.ContainsFunc(f.Months, func(n KEVMonth) bool { return n.ID == m.ID }) {
			return nil, fmt.Errorf("CVRF month %s is missing: a data file may add months, never drop one", m.ID)
		}
	}
	var changes []FactChange
	for _, old := range base.Flaws {
		k, ok := f.Flaw(old.CVE)
		if !ok {
			return nil, fmt.Errorf("flaw %s is missing: a data file may add flaws, never drop one", old.CVE)
		}
		for _, x := range old.Fixes {
			i := slices.IndexFunc(k.Fixes, func(n KEVFix) bool { return n.Channel == x.Channel && n.Build == x.Build })
			if i < 0 {
				return nil, fmt.Errorf("flaw %s: the fix for %s build %d is missing", old.CVE, x.Channel, x.Build)
			}
			n := k.Fixes[i]
			changes = appendChange(changes, old.CVE, fmt.Sprintf("%s %d fixed by", x.Channel, x.Build),
				fmt.Sprintf("%s .%d", x.KB, x.UBR), fmt.Sprintf("%s .%d", n.KB, n.UBR))
		}
	}
	return changes, nil
}

// CVRFCVEs is what one CVRF document says about each CVE's Windows and
// Edge fixes, before merging with the KEV catalogue.
type CVRFCVEs struct {
	Month KEVMonth
	Fixes map[string]CVEFixes // by CVE
}

// CVEFixes are one CVE's fixes in one document.
type CVEFixes struct {
	Windows []KEVFix
	Edge    *EdgeFix
}

// ParseCVRFCVEs reads a CVRF document (as ParseCVRF does) and returns,
// per CVE, the Windows builds and Edge version that fix it. A Windows
// release's fix is the cumulative update it names (the highest, when a
// CVE names two); the same release's hotpatch builds are kept beside it.
func ParseCVRFCVEs(b []byte) (CVRFCVEs, error) {
	b, err := gunzipBounded(b)
	if err != nil {
		return CVRFCVEs{}, err
	}
	doc, err := decodeCVRF(b)
	if err != nil {
		return CVRFCVEs{}, err
	}
	m, err := doc.month()
	if err != nil {
		return CVRFCVEs{}, err
	}
	out := CVRFCVEs{Month: KEVMonth{ID: m.ID, Released: m.Released}, Fixes: map[string]CVEFixes{}}
	for _, v := range doc.Vulnerabilities {
		if !cvePattern.MatchString(v.CVE) {
			continue
		}
		f := doc.cveFixes(v, m.Released)
		if len(f.Windows) > 0 || f.Edge != nil {
			out.Fixes[v.CVE] = f
		}
		for _, x := range f.Windows {
			if r := fmt.Sprintf("%s %d", x.Channel, x.Build); !slices.Contains(out.Month.Releases, r) {
				out.Month.Releases = append(out.Month.Releases, r)
			}
		}
	}
	slices.Sort(out.Month.Releases)
	return out, nil
}

func (doc cvrfDoc) cveFixes(v cvrfVuln, released Date) CVEFixes {
	type release struct {
		channel string
		build   int
	}
	cumulative := map[release]KEVFix{}
	hotpatch := map[release][]int{}
	var out CVEFixes
	for _, f := range v.Fixes {
		for _, id := range f.ProductIDs {
			name := doc.Products[id]
			if isEdgeProduct(name) {
				out.Edge = laterEdge(out.Edge, f.FixedBuild, released)
				continue
			}
			channel, ok := channelOfProduct(name)
			build, okBuild := parseWindowsBuild(f.FixedBuild)
			kb, okKB := kbNumber(f.KB)
			if !ok || !okBuild || !okKB {
				continue
			}
			r := release{channel, build.Build}
			switch kindOf(f.SubType) {
			case kindCumulative:
				if c, seen := cumulative[r]; !seen || build.UBR > c.UBR {
					cumulative[r] = KEVFix{Channel: channel, Build: build.Build, UBR: build.UBR, KB: kb, Date: released}
				}
			case kindHotpatch:
				if !slices.Contains(hotpatch[r], build.UBR) {
					hotpatch[r] = append(hotpatch[r], build.UBR)
				}
			}
		}
	}
	for r, x := range cumulative {
		for _, ubr := range hotpatch[r] {
			if ubr < x.UBR {
				x.Hotpatch = append(x.Hotpatch, ubr)
			}
		}
		slices.Sort(x.Hotpatch)
		out.Windows = append(out.Windows, x)
	}
	slices.SortFunc(out.Windows, func(a, b KEVFix) int {
		if c := strings.Compare(a.Channel, b.Channel); c != 0 {
			return c
		}
		return a.Build - b.Build
	})
	return out
}

func isEdgeProduct(name string) bool {
	return strings.HasPrefix(name, "Microsoft Edge (Chromium-based)") && !strings.Contains(name, "Update") && !strings.Contains(name, "Android") && !strings.Contains(name, "iOS")
}

func laterEdge(cur *EdgeFix, version string, released Date) *EdgeFix {
	v, ok := parseVersion(version)
	if !ok {
		return cur
	}
	if cur != nil {
		if c, _ := parseVersion(cur.Version); CompareVersions(c, v) >= 0 {
			return cur
		}
	}
	return &EdgeFix{Version: strings.TrimSpace(version), Date: released}
}

// parseVersion reads a dotted version of up to four numbers: "142.0.3595.53".
func parseVersion(s string) ([]int, bool) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 || len(parts) > 4 {
		return nil, false
	}
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 1<<24 {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}

// CompareVersions compares dotted versions part by part, a missing part
// counting as 0: 10.10 is after 10.9, and 10.2 equals 10.2.0.
func CompareVersions(a, b []int) int {
	for i := range max(len(a), len(b)) {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

// EdgeFixed reports whether an installed Edge version carries the fix;
// ok is false when the installed version cannot be read as a version.
func (e EdgeFix) EdgeFixed(installed string) (fixed, ok bool) {
	have, ok := parseVersion(installed)
	if !ok {
		return false, false
	}
	want, _ := parseVersion(e.Version)
	return CompareVersions(have, want) >= 0, true
}

// BuildKEV makes the windows-kev body from a KEV catalogue and CVRF
// documents: every Windows entry of the catalogue, with its fixes from the
// document that names it (the newest, when several do). Edge fixes are
// taken for Microsoft Edge and Google Chromium entries that a document
// gives an Edge version for. Edge-only entries of other vendors are left
// out when no document names them.
func BuildKEV(c KEVCatalog, docs ...CVRFCVEs) KEVFile {
	docs = slices.Clone(docs)
	slices.SortStableFunc(docs, func(a, b CVRFCVEs) int { return b.Month.Released.Compare(a.Month.Released.Time) })
	f := KEVFile{Provenance: Provenance{Kind: "windows-kev", Schema: DataSchema, AsOf: c.Released}, Catalog: c.Version}
	sources := []string{fmt.Sprintf("CISA Known Exploited Vulnerabilities catalogue %s (https://www.cisa.gov/known-exploited-vulnerabilities-catalog)", c.Version)}
	for i := len(docs) - 1; i >= 0; i-- {
		d := docs[i]
		f.Months = append(f.Months, d.Month)
		sources = append(sources, fmt.Sprintf("MSRC CVRF %s: https://api.msrc.microsoft.com/cvrf/v3.0/cvrf/%s", d.Month.ID, d.Month.ID))
		if d.Month.Released.After(f.AsOf.Time) {
			f.AsOf = d.Month.Released
		}
	}
	f.Source = strings.Join(sources, "; ") + "."
	for _, e := range c.Entries {
		windows := IsWindowsKEVProduct(e.Vendor, e.Product)
		chromium := e.Vendor == "Google" && strings.HasPrefix(e.Product, "Chromium")
		if !windows && !chromium {
			continue
		}
		k := KEVFlaw{CVE: e.CVE, Name: e.Name, Product: e.Product, Added: e.Added, Ransomware: e.Ransomware}
		if !e.Due.IsZero() {
			due := e.Due
			k.Due = &due
		}
		for _, d := range docs {
			if fx, ok := d.Fixes[e.CVE]; ok && (windows && len(fx.Windows) > 0 || fx.Edge != nil) {
				k.Month, k.Fixes, k.Edge = d.Month.ID, fx.Windows, fx.Edge
				break
			}
		}
		if chromium && k.Edge == nil {
			continue
		}
		if _, dup := f.Flaw(k.CVE); !dup {
			f.Flaws = append(f.Flaws, k)
		}
	}
	slices.SortStableFunc(f.Flaws, func(a, b KEVFlaw) int {
		if c := b.Added.Compare(a.Added.Time); c != 0 {
			return c
		}
		return strings.Compare(b.CVE, a.CVE)
	})
	return f
}

// Keep returns a copy of f that holds everything base does: base's CVRF
// months, the fixes of flaws f has no month for, and flaws f lacks
// (CISA has removed entries). A newer body is built from the documents of
// one update; the months earlier updates read stay in it this way.
func (f KEVFile) Keep(base *KEVFile) KEVFile {
	out := f
	out.Months = slices.Clone(f.Months)
	out.Flaws = slices.Clone(f.Flaws)
	for _, m := range base.Months {
		if !slices.ContainsFunc(out.Months, func(n KEVMonth) bool { return n.ID == m.ID }) {
			out.Months = append(out.Months, m)
		}
	}
	slices.SortStableFunc(out.Months, func(a, b KEVMonth) int { return a.Released.Compare(b.Released.Time) })
	for _, old := range base.Flaws {
		i := slices.IndexFunc(out.Flaws, func(k KEVFlaw) bool { return k.CVE == old.CVE })
		switch {
		case i < 0:
			out.Flaws = append(out.Flaws, old)
		case !out.Flaws[i].Judged() && old.Judged():
			out.Flaws[i].Month, out.Flaws[i].Fixes, out.Flaws[i].Edge = old.Month, old.Fixes, old.Edge
		}
	}
	if base.AsOf.After(out.AsOf.Time) {
		out.AsOf = base.AsOf
	}
	for _, part := range strings.Split(strings.TrimSuffix(base.Source, "."), "; ") {
		if part != "" && !strings.Contains(out.Source, part) {
			out.Source = strings.TrimSuffix(out.Source, ".") + "; " + part + "."
		}
	}
	return out
}
