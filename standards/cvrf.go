package standards

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// MaxCVRFSize bounds a CVRF document after decompression; Microsoft's
// monthly documents are 2-4 MB.
const MaxCVRFSize = 64 << 20

var (
	// ErrNotCVRF means the bytes are not a CVRF document: an HTML error
	// page, some other XML or JSON, or a document without its ID or release
	// date.
	ErrNotCVRF = errors.New("not a CVRF document")
	// ErrTruncated means the document or its gzip stream ends early.
	ErrTruncated = errors.New("CVRF document is truncated")
	// ErrNoWindowsUpdates means the document names no Windows cumulative
	// update (an "Early Security Updates" document, say); it must never
	// create a month.
	ErrNoWindowsUpdates = errors.New("CVRF document names no Windows cumulative update")
)

// CVRFMonth is what one Security Update Guide document says about Windows
// builds: each Windows product's cumulative update, hotpatch and
// out-of-band builds.
type CVRFMonth struct {
	ID       string    // "2026-Mar"
	Title    string    // "March 2026 Security Updates"
	Released Date      // the day of InitialReleaseDate
	Revised  time.Time // CurrentReleaseDate
	Rows     []CVRFRow
	// Notes say where the document was read with judgement: an out-of-band
	// build and how it was dated.
	Notes []string
}

// URL is where Microsoft publishes the document.
func (m CVRFMonth) URL() string {
	return "https://api.msrc.microsoft.com/cvrf/v3.0/cvrf/" + m.ID
}

// CVRFRow is one Windows build the document gives as a fix, collapsed over
// CVEs and processor architectures. Update.Type is empty for the monthly
// cumulative update, UpdateHotpatch or UpdateOutOfBand otherwise.
type CVRFRow struct {
	Products []string // "Windows 11 Version 24H2 for x64-based Systems", ...
	Channel  string   // ChannelClient or ChannelServer, from the product name
	Build    int
	Update   Update
}

// ParseCVRF reads one CVRF v3.0 document, XML or JSON, plain or gzip, and
// returns the Windows builds it gives as fixes.
func ParseCVRF(b []byte) (CVRFMonth, error) {
	b, err := gunzipBounded(b)
	if err != nil {
		return CVRFMonth{}, err
	}
	doc, err := decodeCVRF(b)
	if err != nil {
		return CVRFMonth{}, err
	}
	return doc.month()
}

var gzipMagic = []byte{0x1f, 0x8b}

func gunzipBounded(b []byte) ([]byte, error) {
	return Gunzip(b, MaxCVRFSize, "CVRF document")
}

// Gunzip returns b decompressed when it is gzip, else b itself, refusing
// more than limit bytes either way; what names the document in errors. A
// stream that ends early is ErrTruncated.
func Gunzip(b []byte, limit int, what string) ([]byte, error) {
	if !bytes.HasPrefix(b, gzipMagic) {
		if len(b) > limit {
			return nil, fmt.Errorf("%s is larger than %d MiB", what, limit>>20)
		}
		return b, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, gzipError(what, err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return nil, gzipError(what, err)
	}
	if len(out) > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB once decompressed", what, limit>>20)
	}
	return out, nil
}

func gzipError(what string, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: gzip stream ends early", ErrTruncated)
	}
	return fmt.Errorf("%s: gzip: %w", what, err)
}

// cvrfDoc is the part of a CVRF document the conversion reads, the same
// whichever form it came in.
type cvrfDoc struct {
	ID, Title        string
	Initial, Current string
	Products         map[string]string // ProductID -> name
	Vulnerabilities  []cvrfVuln
}

type cvrfVuln struct {
	CVE       string
	Revisions []string // dates
	Fixes     []cvrfFix
}

// cvrfFix is a remediation of type Vendor Fix.
type cvrfFix struct {
	KB, SubType, FixedBuild string
	ProductIDs              []string
}

func decodeCVRF(b []byte) (cvrfDoc, error) {
	text := bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(text) == 0:
		return cvrfDoc{}, fmt.Errorf("%w: the input is empty", ErrNotCVRF)
	case LooksLikeHTML(text):
		return cvrfDoc{}, fmt.Errorf("%w: an HTML page (an error page from the server?)", ErrNotCVRF)
	case text[0] == '<':
		return decodeCVRFXML(text)
	case text[0] == '{':
		return decodeCVRFJSON(text)
	}
	return cvrfDoc{}, fmt.Errorf("%w: neither XML nor JSON", ErrNotCVRF)
}

// LooksLikeHTML reports whether a download is a web page (a proxy's
// sign-in or a server's error page) rather than the data asked for.
func LooksLikeHTML(b []byte) bool {
	head := strings.ToLower(strings.TrimSpace(string(b[:min(len(b), 512)])))
	return strings.HasPrefix(head, "<!doctype html") || strings.Contains(head, "<html") ||
		strings.Contains(head, "<head>") || strings.Contains(head, "<body")
}

// The XML form. Elements are matched by local name, so the CVRF 1.1
// namespaces Microsoft uses and any later ones read the same.
type xmlCVRF struct {
	XMLName  xml.Name
	Title    string `xml:"DocumentTitle"`
	Tracking struct {
		ID      string `xml:"Identification>ID"`
		Initial string `xml:"InitialReleaseDate"`
		Current string `xml:"CurrentReleaseDate"`
	} `xml:"DocumentTracking"`
	ProductTree     xmlBranch `xml:"ProductTree"`
	Vulnerabilities []struct {
		CVE       string   `xml:"CVE"`
		Revisions []string `xml:"RevisionHistory>Revision>Date"`
		Remedies  []struct {
			Type       string   `xml:"Type,attr"`
			KB         string   `xml:"Description"`
			SubType    string   `xml:"SubType"`
			FixedBuild string   `xml:"FixedBuild"`
			ProductIDs []string `xml:"ProductID"`
		} `xml:"Remediations>Remediation"`
	} `xml:"Vulnerability"`
}

type xmlBranch struct {
	Branches []xmlBranch `xml:"Branch"`
	Products []struct {
		ID   string `xml:"ProductID,attr"`
		Name string `xml:",chardata"`
	} `xml:"FullProductName"`
}

func (br xmlBranch) collect(into map[string]string) {
	for _, p := range br.Products {
		into[p.ID] = strings.TrimSpace(p.Name)
	}
	for _, sub := range br.Branches {
		sub.collect(into)
	}
}

func decodeCVRFXML(b []byte) (cvrfDoc, error) {
	var x xmlCVRF
	if err := xml.Unmarshal(b, &x); err != nil {
		var syntax *xml.SyntaxError
		if errors.As(err, &syntax) && syntax.Msg == "unexpected EOF" {
			return cvrfDoc{}, fmt.Errorf("%w: XML ends at line %d", ErrTruncated, syntax.Line)
		}
		return cvrfDoc{}, fmt.Errorf("%w: %v", ErrNotCVRF, err)
	}
	if x.XMLName.Local != "cvrfdoc" {
		return cvrfDoc{}, fmt.Errorf("%w: the XML root element is %q, not cvrfdoc", ErrNotCVRF, x.XMLName.Local)
	}
	doc := cvrfDoc{
		ID: strings.TrimSpace(x.Tracking.ID), Title: strings.TrimSpace(x.Title),
		Initial: x.Tracking.Initial, Current: x.Tracking.Current,
		Products: map[string]string{},
	}
	x.ProductTree.collect(doc.Products)
	for _, v := range x.Vulnerabilities {
		cv := cvrfVuln{CVE: v.CVE, Revisions: v.Revisions}
		for _, r := range v.Remedies {
			if r.Type == "Vendor Fix" {
				cv.Fixes = append(cv.Fixes, cvrfFix{KB: r.KB, SubType: r.SubType, FixedBuild: r.FixedBuild, ProductIDs: r.ProductIDs})
			}
		}
		doc.Vulnerabilities = append(doc.Vulnerabilities, cv)
	}
	return doc, nil
}

// The JSON form (Accept: application/json). Text fields are either a plain
// string or an object {"Value": "..."}; a remediation's Type is a number,
// 2 for Vendor Fix (Microsoft's MsrcSecurityUpdates PowerShell module,
// Get-MsrcCvrfAffectedSoftware).
type jsonCVRF struct {
	DocumentTitle    jsonText
	DocumentTracking struct {
		Identification     struct{ ID jsonText }
		InitialReleaseDate jsonText
		CurrentReleaseDate jsonText
	}
	ProductTree struct {
		Branch          []jsonBranch
		FullProductName []jsonProduct
	}
	Vulnerability []struct {
		CVE             jsonText
		RevisionHistory []struct{ Date jsonText }
		Remediations    []struct {
			Type        int
			Description jsonText
			SubType     jsonText
			FixedBuild  jsonText
			ProductID   []string
		}
	}
}

type jsonProduct struct {
	ProductID string
	Value     string
}

type jsonBranch struct {
	jsonProduct
	Items []jsonBranch
}

func (br jsonBranch) collect(into map[string]string) {
	if br.ProductID != "" {
		into[br.ProductID] = strings.TrimSpace(br.Value)
	}
	for _, sub := range br.Items {
		sub.collect(into)
	}
}

const jsonVendorFix = 2

// jsonText is a JSON string or an object whose "Value" is the string.
type jsonText string

func (t *jsonText) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '{' {
		var v struct{ Value *string }
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		if v.Value != nil {
			*t = jsonText(*v.Value)
		}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*t = jsonText(s)
	return nil
}

func decodeCVRFJSON(b []byte) (cvrfDoc, error) {
	var j jsonCVRF
	if err := json.Unmarshal(b, &j); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) && syntax.Offset >= int64(len(b)) {
			return cvrfDoc{}, fmt.Errorf("%w: JSON ends at byte %d", ErrTruncated, len(b))
		}
		return cvrfDoc{}, fmt.Errorf("%w: %v", ErrNotCVRF, err)
	}
	doc := cvrfDoc{
		ID: strings.TrimSpace(string(j.DocumentTracking.Identification.ID)), Title: strings.TrimSpace(string(j.DocumentTitle)),
		Initial: string(j.DocumentTracking.InitialReleaseDate), Current: string(j.DocumentTracking.CurrentReleaseDate),
		Products: map[string]string{},
	}
	for _, br := range j.ProductTree.Branch {
		br.collect(doc.Products)
	}
	for _, p := range j.ProductTree.FullProductName {
		doc.Products[p.ProductID] = strings.TrimSpace(p.Value)
	}
	for _, v := range j.Vulnerability {
		cv := cvrfVuln{CVE: string(v.CVE)}
		for _, r := range v.RevisionHistory {
			cv.Revisions = append(cv.Revisions, string(r.Date))
		}
		for _, r := range v.Remediations {
			if r.Type == jsonVendorFix {
				cv.Fixes = append(cv.Fixes, cvrfFix{KB: string(r.Description), SubType: string(r.SubType), FixedBuild: string(r.FixedBuild), ProductIDs: r.ProductID})
			}
		}
		doc.Vulnerabilities = append(doc.Vulnerabilities, cv)
	}
	return doc, nil
}

// parseCVRFTime reads the document's timestamps, which carry no zone in the
// XML form ("2026-03-10T07:00:00") and may end in Z in the JSON form; no
// zone is read as UTC.
func parseCVRFTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is not of the form YYYY-MM-DDThh:mm:ss", s)
}

// Kinds of Windows fix, from the remediation's SubType.
type fixKind int

const (
	kindNone fixKind = iota
	kindCumulative
	kindHotpatch
)

func kindOf(subType string) fixKind {
	switch strings.TrimSpace(subType) {
	case "Security Update", "Monthly Rollup":
		return kindCumulative
	case "Security Hotpatch Update":
		return kindHotpatch
	}
	return kindNone
}

// windowsBuild is a FixedBuild such as 10.0.26100.8037.
type windowsBuild struct{ Major, Minor, Build, UBR int }

func parseWindowsBuild(s string) (windowsBuild, bool) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 4 {
		return windowsBuild{}, false
	}
	var n [4]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || v > 1<<20 {
			return windowsBuild{}, false
		}
		n[i] = v
	}
	if n[0] != 10 && n[0] != 6 {
		return windowsBuild{}, false
	}
	return windowsBuild{n[0], n[1], n[2], n[3]}, true
}

// channelOfProduct says which channel a Windows product name belongs to;
// false for names that are not Windows itself (SDK, ADK, App Client).
func channelOfProduct(name string) (string, bool) {
	switch {
	case strings.HasPrefix(name, "Windows Server "):
		return ChannelServer, true
	case strings.HasPrefix(name, "Windows 10 "), strings.HasPrefix(name, "Windows 11 "):
		return ChannelClient, true
	}
	return "", false
}

func kbNumber(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 10 {
		return "", false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return "KB" + s, true
}

// productFix is one fix of one product, with the CVEs that name it.
type productFix struct {
	Kind  fixKind
	KB    string
	Build windowsBuild
	CVEs  []int // indexes into the document's vulnerabilities
}

func (doc cvrfDoc) month() (CVRFMonth, error) {
	if doc.ID == "" {
		return CVRFMonth{}, fmt.Errorf("%w: no DocumentTracking/Identification/ID", ErrNotCVRF)
	}
	if !validCVRFID(doc.ID) {
		return CVRFMonth{}, fmt.Errorf("%w: DocumentTracking/Identification/ID %q is not of the form 2026-Oct", ErrNotCVRF, cleanText(doc.ID))
	}
	initial, err := parseCVRFTime(doc.Initial)
	if err != nil {
		return CVRFMonth{}, fmt.Errorf("%w: %s: InitialReleaseDate: %v", ErrNotCVRF, doc.ID, err)
	}
	m := CVRFMonth{ID: doc.ID, Title: cleanText(doc.Title), Released: DayOf(initial), Revised: initial}
	if current, err := parseCVRFTime(doc.Current); err == nil && current.After(initial) {
		m.Revised = current
	}
	byProduct := doc.windowsFixes()
	rows := map[rowKey]*CVRFRow{}
	for _, id := range sortedKeys(byProduct) {
		m.addProduct(doc, doc.Products[id], byProduct[id], rows)
	}
	for _, r := range rows {
		slices.Sort(r.Products)
		r.Products = slices.Compact(r.Products)
		m.Rows = append(m.Rows, *r)
	}
	slices.SortFunc(m.Rows, compareRows)
	if !slices.ContainsFunc(m.Rows, func(r CVRFRow) bool { return r.Update.Type == "" }) {
		return m, fmt.Errorf("%s (%s): %w", doc.ID, doc.Title, ErrNoWindowsUpdates)
	}
	return m, nil
}

// windowsFixes gathers, per Windows product, the distinct fixes with a
// Windows build and a KB number, and the CVEs that name each.
func (doc cvrfDoc) windowsFixes() map[string][]*productFix {
	out := map[string][]*productFix{}
	for i, v := range doc.Vulnerabilities {
		for _, f := range v.Fixes {
			kind := kindOf(f.SubType)
			build, okBuild := parseWindowsBuild(f.FixedBuild)
			kb, okKB := kbNumber(f.KB)
			if kind == kindNone || !okBuild || !okKB {
				continue
			}
			for _, id := range f.ProductIDs {
				if _, ok := channelOfProduct(doc.Products[id]); !ok {
					continue
				}
				pf := findFix(out[id], kind, kb, build)
				if pf == nil {
					pf = &productFix{Kind: kind, KB: kb, Build: build}
					out[id] = append(out[id], pf)
				}
				if !slices.Contains(pf.CVEs, i) {
					pf.CVEs = append(pf.CVEs, i)
				}
			}
		}
	}
	return out
}

func findFix(fixes []*productFix, kind fixKind, kb string, b windowsBuild) *productFix {
	for _, f := range fixes {
		if f.Kind == kind && f.KB == kb && f.Build == b {
			return f
		}
	}
	return nil
}

type rowKey struct {
	Channel, Type, KB string
	Build, UBR        int
}

// addProduct adds a product's fixes as rows. Its fix of each kind is the
// one most CVEs name (a document also repeats earlier months' fixes for
// CVEs it revises); a fix of the same kind and build with a higher UBR is
// a later, out-of-band release.
func (m *CVRFMonth) addProduct(doc cvrfDoc, name string, fixes []*productFix, rows map[rowKey]*CVRFRow) {
	channel, _ := channelOfProduct(name)
	name = cleanText(name)
	for _, kind := range []fixKind{kindCumulative, kindHotpatch} {
		main := mainFix(fixes, kind)
		if main == nil {
			continue
		}
		add := func(f *productFix, u Update) {
			u.UBR, u.KB = f.Build.UBR, f.KB
			k := rowKey{Channel: channel, Type: u.Type, KB: u.KB, Build: f.Build.Build, UBR: u.UBR}
			if rows[k] == nil {
				rows[k] = &CVRFRow{Channel: channel, Build: f.Build.Build, Update: u}
			}
			rows[k].Products = append(rows[k].Products, name)
		}
		u := Update{Date: m.Released}
		if kind == kindHotpatch {
			u.Type = UpdateHotpatch
		}
		add(main, u)
		for _, f := range fixes {
			if f.Kind != kind || f.Build.Build != main.Build.Build || f.Build.UBR <= main.Build.UBR {
				continue
			}
			oob := Update{Date: doc.firstChangeAfter(m.Released, f.CVEs), Type: UpdateOutOfBand}
			if kind == kindHotpatch {
				oob.Type, oob.Note = UpdateHotpatch, "out-of-band hotpatch"
			}
			add(f, oob)
			note := fmt.Sprintf("%s: %s (UBR %d) is named by %d CVEs against %d for %s (UBR %d): taken as %s, dated %s from the CVEs' revision history",
				m.ID, f.KB, f.Build.UBR, len(f.CVEs), len(main.CVEs), main.KB, main.Build.UBR, oobLabel(oob), oob.Date)
			if !slices.Contains(m.Notes, note) {
				m.Notes = append(m.Notes, note)
			}
		}
	}
}

func oobLabel(u Update) string {
	if u.Note != "" {
		return "an " + u.Note
	}
	return "an out-of-band update"
}

// mainFix is the fix of that kind most CVEs name; of equals, the highest build.
func mainFix(fixes []*productFix, kind fixKind) *productFix {
	var best *productFix
	for _, f := range fixes {
		if f.Kind != kind {
			continue
		}
		if best == nil || len(f.CVEs) > len(best.CVEs) ||
			len(f.CVEs) == len(best.CVEs) && f.Build.UBR > best.Build.UBR {
			best = f
		}
	}
	return best
}

// firstChangeAfter is the first day after the release day on which one of
// the CVEs was revised: when a fix added after release day appeared. It is
// the release day when no CVE changed later.
func (doc cvrfDoc) firstChangeAfter(released Date, cves []int) Date {
	first := released
	for _, i := range cves {
		for _, s := range doc.Vulnerabilities[i].Revisions {
			t, err := parseCVRFTime(s)
			if err != nil {
				continue
			}
			day := DayOf(t)
			if day.After(released.Time) && (first.Equal(released.Time) || day.Before(first.Time)) {
				first = day
			}
		}
	}
	return first
}

func compareRows(a, b CVRFRow) int {
	if c := strings.Compare(a.Channel, b.Channel); c != 0 {
		return c
	}
	if a.Build != b.Build {
		return a.Build - b.Build
	}
	if c := strings.Compare(a.Update.Type, b.Update.Type); c != 0 {
		return c
	}
	return a.Update.UBR - b.Update.UBR
}

// validCVRFID accepts the API's document IDs ("2026-Oct"): they go into
// URLs and the data's source text.
func validCVRFID(id string) bool {
	if len(id) > 40 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// cleanText drops control characters from text the document supplies and
// bounds its length, so notes cannot act on a terminal.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return strings.TrimSpace(s)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
