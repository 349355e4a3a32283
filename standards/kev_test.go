package standards

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

var realCVRFMonths = []string{"2025-Nov", "2025-Dec", "2026-Jan", "2026-Mar"}

func readTestdata(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"..", "testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// parsedCVRF holds the real documents parsed once: each takes a second.
var parsedCVRF = sync.OnceValues(func() ([]CVRFCVEs, error) {
	var out []CVRFCVEs
	for _, m := range realCVRFMonths {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "cvrf", "cvrfDocument-"+m+".xml.gz"))
		if err != nil {
			return nil, err
		}
		d, err := ParseCVRFCVEs(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m, err)
		}
		out = append(out, d)
	}
	return out, nil
})

func realCVRFCVEs(t testing.TB) []CVRFCVEs {
	t.Helper()
	out, err := parsedCVRF()
	if err != nil {
		t.Fatal(err)
	}
	return slices.Clone(out)
}

func kevFromFixture(t testing.TB, name string) KEVFile {
	t.Helper()
	c, err := ParseKEV(readTestdata(t, "kev", name))
	if err != nil {
		t.Fatal(err)
	}
	return BuildKEV(c, realCVRFCVEs(t)...)
}

// encodeKEV writes the body as the built-in file keeps it: one flaw a
// line, so that the file stays small to decode and easy to diff.
func encodeKEV(t testing.TB, f KEVFile) []byte {
	t.Helper()
	marshal := func(v any) []byte {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	flaws := f.Flaws
	f.Flaws = nil
	head := marshal(f)
	var out bytes.Buffer
	out.Write(bytes.TrimSuffix(head, []byte(`,"flaws":null}`)))
	out.WriteString(",\n\"flaws\": [\n")
	for i, k := range flaws {
		if i > 0 {
			out.WriteString(",\n")
		}
		out.Write(marshal(k))
	}
	out.WriteString("\n]}\n")
	return out.Bytes()
}

func TestUpdateBuiltInKEV(t *testing.T) {
	if !*updateBuiltIn {
		t.Skip("run with -update-builtin to rewrite standards/data/windows-kev.json")
	}
	f := kevFromFixture(t, "known_exploited_vulnerabilities.json.gz")
	if err := os.WriteFile(filepath.Join("data", "windows-kev.json"), encodeKEV(t, f), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The built-in windows-kev data is the converter's output for the real
// catalogue and the real CVRF documents, byte for byte.
func TestKEVBuiltInReproduced(t *testing.T) {
	want := encodeKEV(t, kevFromFixture(t, "known_exploited_vulnerabilities.json.gz"))
	got, err := embedded.ReadFile("data/windows-kev.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("standards/data/windows-kev.json is not what the converter makes of testdata/kev and testdata/cvrf: run go test ./standards/ -run TestUpdateBuiltInKEV -update-builtin")
	}
}

// The rule for "a Windows component", as the catalogue's product values
// show it: every Microsoft product value it accepts, listed.
func TestWindowsKEVProducts(t *testing.T) {
	c, err := ParseKEV(readTestdata(t, "kev", "known_exploited_vulnerabilities.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != "2025.08.25" || len(c.Entries) != 1404 {
		t.Fatalf("catalogue %s with %d entries, want 2025.08.25 with 1404", c.Version, len(c.Entries))
	}
	accepted := map[string]int{}
	prefixed := 0
	for _, e := range c.Entries {
		if IsWindowsKEVProduct(e.Vendor, e.Product) {
			accepted[e.Product]++
			if strings.HasPrefix(strings.TrimSpace(e.Product), "Windows") {
				prefixed++
			}
		}
	}
	if prefixed != 154 {
		t.Errorf("%d entries with a product starting \"Windows\", want the 154 the catalogue's README counts", prefixed)
	}
	want := []string{".NET Framework"} // one product the rule must refuse
	for _, p := range want {
		if accepted[p] > 0 {
			t.Errorf("%q accepted as a Windows component", p)
		}
	}
	names := slices.Sorted(maps.Keys(accepted))
	wantNames := []string{"ATM Font Driver", "Active Directory", "Ancillary Function Driver (afd.sys)",
		"Client-Server Run-time Subsystem (CSRSS)", "DWM Core Library", "DirectX Graphics Kernel (DXGKRNL)", "Edge",
		"Edge and Internet Explorer", "Enhanced Cryptographic Provider", "Graphics Component", "Graphics Device Interface (GDI)",
		"HTTP Protocol Stack", "HTTP.sys", "Hyper-V RemoteFX", "Input Method Editor (IME) Japanese", "Internet Explorer",
		"Internet Explorer Scripting Engine", "Internet Explorer and Edge", "Kerberos Key Distribution Center (KDC)",
		"MSCOMCTL.OCX", "MSHTML", "Netlogon", "Remote Desktop Services", "SMBv1", "SMBv1 server", "SMBv3", "SmartScreen Prompt",
		"Streaming Service", "Streaming Service Proxy", "Task Scheduler", "Update Notification Manager", "Win32k", "WinVerifyTrust function",
		"Windows", "Windows CNG Key Isolation Service", "Windows COM+ Event System Service", "WordPad", "XML Core Services"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("accepted products:\n%q\nwant\n%q", names, wantNames)
	}
	total := 0
	for _, n := range accepted {
		total += n
	}
	builtIn := kevFromFixture(t, "known_exploited_vulnerabilities.json.gz")
	if len(builtIn.Flaws) != total {
		t.Errorf("built-in data has %d flaws, the catalogue %d Windows entries", len(builtIn.Flaws), total)
	}
	t.Logf("%d Windows entries (%d with a product starting \"Windows\"), %d product values", total, prefixed, len(names))
}

// cvrfFixedUBRs reads a CVE's fixes from the document text by pattern,
// not through the converter: per "channel build", the highest UBR of the
// Security Update remediations naming a Windows product, with its KB.
func cvrfFixedUBRs(t *testing.T, doc, cve string) map[string]string {
	t.Helper()
	products := map[string]string{}
	for _, m := range regexp.MustCompile(`<prod:FullProductName ProductID="([^"]+)">([^<]*)<`).FindAllStringSubmatch(doc, -1) {
		products[m[1]] = m[2]
	}
	_, block, ok := strings.Cut(doc, "<vuln:CVE>"+cve+"</vuln:CVE>")
	if !ok {
		t.Fatalf("%s is not in the document", cve)
	}
	block, _, _ = strings.Cut(block, "</vuln:Vulnerability>")
	best := map[string][2]int{}
	for _, r := range regexp.MustCompile(`(?s)<vuln:Remediation Type="Vendor Fix">(.*?)</vuln:Remediation>`).FindAllStringSubmatch(block, -1) {
		body := r[1]
		sub := regexp.MustCompile(`<vuln:SubType>([^<]*)<`).FindStringSubmatch(body)
		fb := regexp.MustCompile(`<vuln:FixedBuild>(?:10\.0|6\.[0-3])\.(\d+)\.(\d+)<`).FindStringSubmatch(body)
		kb := regexp.MustCompile(`<vuln:Description>(\d+)<`).FindStringSubmatch(body)
		if sub == nil || fb == nil || kb == nil || sub[1] != "Security Update" && sub[1] != "Monthly Rollup" {
			continue
		}
		for _, id := range regexp.MustCompile(`<vuln:ProductID>([^<]+)<`).FindAllStringSubmatch(body, -1) {
			name := products[id[1]]
			channel := ""
			switch {
			case strings.HasPrefix(name, "Windows Server "):
				channel = "server"
			case strings.HasPrefix(name, "Windows 10 "), strings.HasPrefix(name, "Windows 11 "):
				channel = "client"
			default:
				continue
			}
			key := channel + " " + fb[1]
			ubr, _ := strconv.Atoi(fb[2])
			k, _ := strconv.Atoi(kb[1])
			if ubr > best[key][0] {
				best[key] = [2]int{ubr, k}
			}
		}
	}
	out := map[string]string{}
	for key, v := range best {
		out[key] = fmt.Sprintf(".%d KB%d", v[0], v[1])
	}
	return out
}

// For CVEs fixed in each real document, the converter's fixed UBR per
// Windows release is what the document says.
func TestCVRFCVEsMatchDocuments(t *testing.T) {
	picks := map[string][]string{
		"2025-Nov": {"CVE-2025-62215", "CVE-2025-60724"},
		"2025-Dec": {"CVE-2025-62221", "CVE-2025-54100"},
		"2026-Jan": {"CVE-2026-20805", "CVE-2026-20822"},
		"2026-Mar": {"CVE-2026-23667", "CVE-2026-24289"},
	}
	for i, m := range realCVRFMonths {
		raw := readTestdata(t, "cvrf", "cvrfDocument-"+m+".xml.gz")
		text, err := Gunzip(raw, MaxCVRFSize, m)
		if err != nil {
			t.Fatal(err)
		}
		parsed := realCVRFCVEs(t)[i]
		for _, cve := range picks[m] {
			want := cvrfFixedUBRs(t, string(text), cve)
			got := map[string]string{}
			for _, x := range parsed.Fixes[cve].Windows {
				got[fmt.Sprintf("%s %d", x.Channel, x.Build)] = fmt.Sprintf(".%d %s", x.UBR, x.KB)
				if !x.Date.Equal(parsed.Month.Released.Time) {
					t.Errorf("%s %s: fix dated %s, want the release day %s", m, cve, x.Date, parsed.Month.Released)
				}
			}
			if len(want) == 0 || !maps.Equal(got, want) {
				t.Errorf("%s %s:\nconverter %v\ndocument  %v", m, cve, got, want)
			}
		}
	}
}

// A KEV flaw whose CVRF month the data lacks has no fixes, is counted as
// "fix build unknown", and no build is ever fixed by it.
func TestKEVUnknownMonthNeverFixed(t *testing.T) {
	f := kevFromFixture(t, "kev-edited.json.gz")
	k, ok := f.Flaw("CVE-2017-0199") // an Office/WordPad flaw of 2017: no month here
	if !ok {
		k, _ = f.Flaw("CVE-2025-33053")
	}
	if k.Judged() || len(k.Fixes) != 0 {
		t.Fatalf("%s judged with fixes %v although its month is not in the data", k.CVE, k.Fixes)
	}
	for _, v := range []WindowsVersion{{CurrentBuild: 26100, UBR: 99999, EditionID: "Enterprise"}, {CurrentBuild: 14393, UBR: 99999, InstallationType: "Server"}} {
		if _, ok := k.FixFor(v); ok {
			t.Errorf("%s: a fix for %d although the month is unknown", k.CVE, v.CurrentBuild)
		}
	}
	// Shrink the months: Jan's flaw loses its month and its fixes.
	c, _ := ParseKEV(readTestdata(t, "kev", "kev-edited.json.gz"))
	short := BuildKEV(c, realCVRFCVEs(t)[:2]...)
	jan, _ := short.Flaw("CVE-2026-20805")
	if jan.Judged() || len(jan.Fixes) > 0 {
		t.Errorf("CVE-2026-20805 judged without the 2026-Jan document: %+v", jan)
	}
	if err := short.validate(); err != nil {
		t.Error(err)
	}
}

func TestKEVFixedByUBR(t *testing.T) {
	f := kevFromFixture(t, "kev-edited.json.gz")
	k, _ := f.Flaw("CVE-2025-62215")
	if k.Month != "2025-Nov" {
		t.Fatalf("CVE-2025-62215 month %q, want 2025-Nov", k.Month)
	}
	client := WindowsVersion{CurrentBuild: 26100, EditionID: "Enterprise"}
	x, ok := k.FixFor(client)
	if !ok || x.UBR != 7171 || x.KB != "KB5068861" {
		t.Fatalf("26100 client fix %+v, want .7171 KB5068861 (the November 2025 update in windows-updates)", x)
	}
	for ubr, want := range map[int]bool{7170: false, 6899: false, 7171: true, 9445: true} {
		if got := x.Fixes(ubr); got != want {
			t.Errorf("UBR %d fixed = %v, want %v", ubr, got, want)
		}
	}
	mar := realCVRFCVEs(t)[3].Fixes["CVE-2026-23667"]
	hot := KEVFlaw{Month: "2026-Mar", Fixes: mar.Windows}
	if x, ok := hot.FixFor(client); !ok || len(x.Hotpatch) == 0 || !x.Fixes(x.Hotpatch[0]) || x.Fixes(x.Hotpatch[0]-1) {
		t.Errorf("CVE-2026-23667 on 26100: %+v, want the March hotpatch build counted as fixed, the build before it not", x)
	}
	ltsc := WindowsVersion{CurrentBuild: 19044, EditionID: "EnterpriseS"}
	if _, ok := k.FixFor(ltsc); !ok {
		t.Error("LTSC 2021 (19044) has no fix: CVRF names it Windows 10 21H2 on the client rows")
	}
}

func TestKEVFileRefusesDroppedFacts(t *testing.T) {
	base := kevFromFixture(t, "kev-edited.json.gz")
	dropped := base
	dropped.Flaws = slices.Clone(base.Flaws[1:])
	if _, err := dropped.compare(&base); err == nil {
		t.Error("a file without a built-in flaw was accepted")
	}
	noMonth := base
	noMonth.Months = base.Months[1:]
	if _, err := noMonth.compare(&base); err == nil {
		t.Error("a file without a built-in CVRF month was accepted")
	}
	if _, err := base.compare(&base); err != nil {
		t.Error(err)
	}
	bad := base
	bad.Flaws = slices.Clone(base.Flaws)
	bad.Flaws[0].Name = "x\x1b[2Jy"
	b := encodeKEV(t, bad)
	if _, err := DecodeDataFile(b); err == nil {
		t.Error("a flaw name with an escape sequence was accepted")
	}
}

func TestParseKEVRefusesOtherDocuments(t *testing.T) {
	for name, b := range map[string]string{
		"html":      "<!DOCTYPE html><html><body>sign in</body></html>",
		"no-vulns":  `{"catalogVersion":"1","vulnerabilities":[]}`,
		"bad-cve":   `{"catalogVersion":"1","vulnerabilities":[{"cveID":"CVE-20x","dateAdded":"2025-01-01"}]}`,
		"bad-date":  `{"catalogVersion":"1","vulnerabilities":[{"cveID":"CVE-2025-1234","dateAdded":"soon"}]}`,
		"cvrf-json": `{"DocumentTitle":"x"}`,
	} {
		if _, err := ParseKEV([]byte(b)); !errors.Is(err, ErrNotKEV) {
			t.Errorf("%s: err = %v, want ErrNotKEV", name, err)
		}
	}
	if !LooksLikeKEV(readTestdataGunzip(t, "kev", "kev-edited.json.gz")) {
		t.Error("the catalogue does not look like a KEV catalogue")
	}
}

func readTestdataGunzip(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := Gunzip(readTestdata(t, parts...), MaxKEVSize, "test")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkLoadWithKEV is the built-in data's load, windows-kev included:
// the other part of what the body adds to a scan.
func BenchmarkLoadWithKEV(b *testing.B) {
	raw, err := embedded.ReadFile("data/windows-kev.json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("windows-kev", func(b *testing.B) {
		for b.Loop() {
			if _, err := DecodeDataFile(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			if _, err := builtIn(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The fast path of the unsafe-text check never hides what the tokenizer
// finds: every document it passes over, the tokenizer passes too.
func TestUnsafeFastPathAgreesWithTokenizer(t *testing.T) {
	for _, c := range []struct {
		doc    string
		unsafe bool
	}{
		{`{"a":"plain text, Ünïcödé – dashes"}`, false},
		{`{"a":"path C:\\Windows\\System32"}`, false},
		{`{"a":"quoted \"x\" and \/"}`, false},
		{`{"a":"\\u001b is spelled, not escaped"}`, false},
		{`{"a":"x\u001by"}`, true},
		{`{"a":"x\ny"}`, true},
		{`{"a":"x\ty"}`, true},
		{"{\"a\":\"x\u2028y\"}", true},
		{"{\"a\":\"x\u202ey\"}", true},
		{"{\"a\":\"x\u0085y\"}", true},
		{`{"a":"x\u00e9y"}`, false},
	} {
		_, got := unsafeString([]byte(c.doc))
		if got != c.unsafe {
			t.Errorf("%s: unsafe = %v, want %v", c.doc, got, c.unsafe)
		}
		if !c.unsafe && mayHoldUnsafe([]byte(c.doc)) && !strings.Contains(c.doc, `\u`) {
			t.Errorf("%s: the fast path sent a plain document to the tokenizer", c.doc)
		}
	}
	for _, k := range Kinds {
		raw, _ := embedded.ReadFile("data/" + k + ".json")
		if _, unsafe := unsafeString(raw); unsafe {
			t.Errorf("built-in %s holds unsafe text", k)
		}
	}
}

// Chromium CVEs carry the Edge version that fixes them: 2025-Nov gives
// CVE-2025-12729 as fixed in Microsoft Edge (Chromium-based) 142.0.3595.66.
func TestCVRFCVEsEdgeVersion(t *testing.T) {
	nov := realCVRFCVEs(t)[0]
	e := nov.Fixes["CVE-2025-12729"].Edge
	if e == nil || e.Version != "142.0.3595.66" || !e.Date.Equal(nov.Month.Released.Time) {
		t.Fatalf("CVE-2025-12729 Edge fix %+v, want 142.0.3595.66 dated %s", e, nov.Month.Released)
	}
	for installed, want := range map[string]bool{"142.0.3595.65": false, "142.0.3595.66": true, "143.0.1.0": true, "99.0": false} {
		if got, ok := e.EdgeFixed(installed); !ok || got != want {
			t.Errorf("Edge %s fixed = %v (%v), want %v", installed, got, ok, want)
		}
	}
	if _, ok := e.EdgeFixed("142.0.x"); ok {
		t.Error("a version with a letter was read as a version")
	}
}

// A Chromium entry of the catalogue joins the body only when a document
// gives its Edge fix; a Windows entry always does.
func TestBuildKEVChromiumOnlyWithEdgeFix(t *testing.T) {
	day := MustDate("2025-11-12")
	c := KEVCatalog{Version: "test", Released: day, Entries: []KEVEntry{
		{CVE: "CVE-2025-12729", Vendor: "Google", Product: "Chromium V8", Name: "Chromium test", Added: day},
		{CVE: "CVE-2025-99991", Vendor: "Google", Product: "Chromium", Name: "not in any document", Added: day},
		{CVE: "CVE-2025-99992", Vendor: "Microsoft", Product: "Windows", Name: "not in any document", Added: day},
		{CVE: "CVE-2025-99993", Vendor: "Microsoft", Product: "Office", Name: "not Windows", Added: day},
	}}
	f := BuildKEV(c, realCVRFCVEs(t)...)
	var got []string
	for _, k := range f.Flaws {
		got = append(got, k.CVE)
	}
	if !slices.Equal(got, []string{"CVE-2025-99992", "CVE-2025-12729"}) {
		t.Fatalf("flaws %v, want the Windows entry and the Chromium one with an Edge fix", got)
	}
	if k, _ := f.Flaw("CVE-2025-12729"); k.Edge == nil || k.Month != "2025-Nov" || len(k.Fixes) != 0 {
		t.Errorf("Chromium entry %+v, want the Edge fix of 2025-Nov and no Windows fixes", k)
	}
	if err := f.validate(); err != nil {
		t.Error(err)
	}
}

// FuzzParseKEV: any bytes are refused or read into entries whose text can
// be shown safely and that build a body the validator accepts.
func FuzzParseKEV(f *testing.F) {
	f.Add([]byte(`{"catalogVersion":"1","dateReleased":"2025-08-25T00:00:00Z","vulnerabilities":[{"cveID":"CVE-2025-1234","vendorProject":"Microsoft","product":"Windows","vulnerabilityName":"x\u001b[2J","dateAdded":"2025-01-01","dueDate":"2025-01-22","knownRansomwareCampaignUse":"Known"}]}`))
	f.Add([]byte(`{"catalogVersion":"1","vulnerabilities":[{"cveID":"CVE-2025-1234","dateAdded":"2025-01-01"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseKEV(b)
		if err != nil {
			return
		}
		for _, e := range c.Entries {
			if textUnsafe(e.Name) || textUnsafe(e.Product) || textUnsafe(e.Vendor) {
				t.Fatalf("unsafe text kept: %q", e.Name)
			}
		}
		k := BuildKEV(c)
		if k.Source == "" {
			t.Fatal("no source")
		}
	})
}
