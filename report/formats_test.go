package report

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// The WannaCry-era profile is the largest: every check has something to say.
const biggestProfile = "win10-1607-wannacry-era"

// Strings a machine controls that must stay text in every format.
const (
	hostileFormula = `=HYPERLINK("http://x","y")`
	hostileScript  = `<script>alert(1)</script>`
)

// hostileReport is a real report in which a machine has planted a formula
// and a script where its own text goes: the host name, a check's summary
// and an evidence value (as a program name would arrive in issue 4's
// installed-software check).
func hostileReport(t testing.TB) *Report {
	rep := buildProfile(t, biggestProfile)
	rep.Host.Name = hostileFormula
	rep.Results[0].Summary = hostileScript + " " + rep.Results[0].Summary
	rep.Results[0].Evidence = append(rep.Results[0].Evidence, Evidence{
		Source: probe.Registry, Query: `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\x\DisplayName`,
		Value: hostileFormula,
	})
	return rep
}

func render(t testing.TB, format string, rep *Report) []byte {
	t.Helper()
	f, ok := LookupFormat(Formats(), format)
	if !ok {
		t.Fatalf("no format %q", format)
	}
	var b bytes.Buffer
	if err := f.Write(&b, rep); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return b.Bytes()
}

func TestFormatForPath(t *testing.T) {
	for path, want := range map[string]string{
		"r.xlsx": "xlsx", "R.XLSX": "xlsx", "r.html": "html", "r.htm": "html", "r.csv": "csv",
		"r.json": "json", "findings.ndjson": "ocsf", "findings.jsonl": "ocsf", "r.txt": "", "r": "",
	} {
		f, _ := FormatForPath(Formats(), path)
		if f.Name != want {
			t.Errorf("FormatForPath(%q) = %q, want %q", path, f.Name, want)
		}
	}
}

func TestReadRoundTrip(t *testing.T) {
	rep := buildProfile(t, biggestProfile)
	saved := render(t, "json", rep)
	again, err := Read(bytes.NewReader(saved))
	if err != nil {
		t.Fatal(err)
	}
	if resaved := render(t, "json", again); !bytes.Equal(saved, resaved) {
		t.Errorf("a report read back does not write the same JSON:\n%s\n---\n%s", saved, resaved)
	}
}

func TestReadRefusesWhatIsNotAReport(t *testing.T) {
	otherVersion := strings.Replace(string(render(t, "json", buildProfile(t, biggestProfile))), `"schema_version": 1`, `"schema_version": 2`, 1)
	tests := map[string]struct{ body, says string }{
		"not json":      {"PK\x03\x04", "not a JSON report"},
		"truncated":     {`{"schema_version": 1, "tool": {"name": "dspt-audit"`, "not a JSON report"},
		"a snapshot":    {`{"schema_version": 1, "tool": "dspt-audit dev", "collected_at": "2026-11-23T10:00:00Z", "observations": []}`, "scan --from"},
		"other tool":    {`{"schema_version": 1, "tool": {"name": "other"}, "results": []}`, "not a dspt-audit report"},
		"other version": {otherVersion, "schema version 2 is not 1"},
	}
	for name, tt := range tests {
		_, err := Read(strings.NewReader(tt.body))
		if err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: Read error = %v, want one saying %q", name, err, tt.says)
		}
	}
}

func TestCellText(t *testing.T) {
	for in, want := range map[string]string{
		hostileFormula: "'" + hostileFormula, "+1": "'+1", "-1+1": "'-1+1", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "Windows 11": "Windows 11", "": "", "a=b": "a=b",
	} {
		if got := CellText(in); got != want {
			t.Errorf("CellText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSV(t *testing.T) {
	rep := hostileReport(t)
	out := render(t, "csv", rep)
	if !bytes.Contains(out, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(out, []byte("\r\n"), nil), []byte("\r")) {
		t.Error("rows must end in CRLF (RFC 4180)")
	}
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(rep.Results)+1 || strings.Join(rows[0], ",") != strings.Join(findingHeader, ",") {
		t.Fatalf("%d rows, header %q; want %d rows under %q", len(rows), rows[0], len(rep.Results)+1, findingHeader)
	}
	statusCol := 2
	if rows[1][statusCol] != "fail" {
		t.Errorf("first finding is %s; failures come first", rows[1][statusCol])
	}
	assertNoLiveFormula(t, "csv", flatten(rows))
}

// assertNoLiveFormula fails if any cell starts with a formula character,
// and if the planted formula is missing (a test that neutralised by
// dropping the text would otherwise pass).
func assertNoLiveFormula(t *testing.T, where string, cells []string) {
	t.Helper()
	found := false
	for _, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			t.Errorf("%s: cell %q would be read as a formula", where, c)
		}
		found = found || strings.Contains(c, hostileFormula)
	}
	if !found {
		t.Errorf("%s: the planted text %s is missing, not neutralised", where, hostileFormula)
	}
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func openWorkbook(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestXLSX(t *testing.T) {
	rep := hostileReport(t)
	out := render(t, "xlsx", rep)
	f := openWorkbook(t, out)

	if got := strings.Join(f.GetSheetList(), ","); got != "Summary,Findings,Evidence,DSPT" {
		t.Fatalf("sheets = %s", got)
	}
	summary, _ := f.GetRows(sheetSummary)
	cell := func(sheet, ref string) string {
		v, err := f.GetCellValue(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if cell(sheetSummary, "A3") != "Host" || cell(sheetSummary, "B3") != CellText(hostileFormula) {
		t.Errorf("Summary host row = %q %q", cell(sheetSummary, "A3"), cell(sheetSummary, "B3"))
	}
	if !strings.Contains(strings.Join(flatten(summary), "|"), string(rep.Outcome)) {
		t.Error("Summary does not state the overall outcome")
	}
	var standardRows int
	for _, r := range summary {
		if len(r) >= 5 && regexp.MustCompile(`^\d+$`).MatchString(r[0]) {
			standardRows++
		}
	}
	if standardRows != 10 {
		t.Errorf("Summary lists %d NDG standards, want 10", standardRows)
	}
	if !strings.Contains(strings.Join(flatten(summary), "|"), "not assessed by this tool") {
		t.Error("Summary does not say which standards no machine check can evidence")
	}

	findings, _ := f.GetRows(sheetFindings)
	if len(findings) != len(rep.Results)+1 || findings[1][2] != "fail" {
		t.Errorf("Findings has %d rows (want %d), first status %q (want fail first)", len(findings), len(rep.Results)+1, findings[1][2])
	}
	assertFrozenAndFiltered(t, f, sheetFindings)
	assertFill(t, f, sheetFindings, "C2", StatusColours[standards.Fail][0])

	evidence, _ := f.GetRows(sheetEvidence)
	if len(evidence) < 10 || evidence[0][5] != "Used by" {
		t.Errorf("Evidence sheet has %d rows, header %q", len(evidence), evidence[0])
	}
	assertFrozenAndFiltered(t, f, sheetEvidence)

	dspt, _ := f.GetRows(sheetDSPT)
	if len(dspt) != len(dsptData())+1 || dspt[1][0] != "1.1.1" {
		t.Errorf("DSPT sheet has %d rows for %d items; first %q", len(dspt), len(dsptData()), dspt[1])
	}
	for _, row := range dspt[1:] {
		if row[0] == "8.1.4" && (row[5] != ItemGap || !strings.HasPrefix(row[6], "Gap: os-supported fails") || !strings.Contains(row[6], "Planned action: ")) {
			t.Errorf("DSPT row of 8.1.4 (os-supported fails) = %q", row)
		}
	}
	if text := strings.Join(flatten(dspt), "|"); strings.Contains(strings.ToLower(text), "unconfirmed") {
		t.Error("the DSPT sheet says unconfirmed")
	}

	props, err := f.GetDocProps()
	if err != nil || props.Creator != "dspt-audit test" || !strings.Contains(props.Title, "audit") {
		t.Errorf("document properties = %+v, %v", props, err)
	}
	if !zipHas(t, out, "xl/charts/chart1.xml") {
		t.Error("the workbook has no chart")
	}
	var all []string
	for _, sheet := range f.GetSheetList() {
		rows, _ := f.GetRows(sheet)
		all = append(all, flatten(rows)...)
	}
	assertNoLiveFormula(t, "xlsx", all)
}

func assertFrozenAndFiltered(t *testing.T, f *excelize.File, sheet string) {
	t.Helper()
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("%s: header row not frozen: %+v, %v", sheet, panes, err)
	}
	names := f.GetDefinedName()
	filtered := false
	for _, n := range names {
		filtered = filtered || n.Name == "_xlnm._FilterDatabase" && n.Scope == sheet
	}
	if !filtered {
		t.Errorf("%s: no autofilter (defined names %+v)", sheet, names)
	}
}

func assertFill(t *testing.T, f *excelize.File, sheet, ref, want string) {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	style, err := f.GetStyle(id)
	if err != nil || len(style.Fill.Color) == 0 || !strings.EqualFold(strings.TrimPrefix(style.Fill.Color[0], "#"), want) {
		t.Errorf("%s!%s fill = %+v, want %s", sheet, ref, style.Fill, want)
	}
}

func zipHas(t *testing.T, b []byte, name string) bool {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name == name {
			return true
		}
	}
	return false
}

func TestHTML(t *testing.T) {
	rep := hostileReport(t)
	page := string(render(t, "html", rep))
	if strings.Contains(page, hostileScript) || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the planted <script> is not escaped")
	}
	// Self-contained: nothing fetched from anywhere.
	for _, pattern := range []string{`(?i)<script`, `(?i)<link`, `(?i)<img`, `(?i)<iframe`, `(?i)\bsrc=`, `(?i)@import`, `(?i)url\(`, `(?i)href="(?:https?:)?//`} {
		if loc := regexp.MustCompile(pattern).FindStringIndex(page); loc != nil {
			t.Errorf("page references something outside itself (%s): %q", pattern, page[max(0, loc[0]-40):min(len(page), loc[1]+40)])
		}
	}
	for _, want := range []string{"<svg", "@media print", "break-before: page", `name="viewport"`, "<details>", string(rep.Outcome), "not assessed by this tool"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	firstFail := strings.Index(page, `<article class="finding fail"`)
	firstPass := strings.Index(page, `<article class="finding pass"`)
	if firstFail < 0 || firstPass >= 0 && firstPass < firstFail {
		t.Errorf("failures are not first (fail at %d, pass at %d)", firstFail, firstPass)
	}
	if n := strings.Count(page, `<article class="finding`); n != len(rep.Results) {
		t.Errorf("%d findings on the page, want %d", n, len(rep.Results))
	}
}

func TestOCSF(t *testing.T) {
	rep := hostileReport(t)
	out := render(t, "ocsf", rep)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(rep.Results) {
		t.Fatalf("%d events, want one per check (%d)", len(lines), len(rep.Results))
	}
	wantStatus := map[standards.Status]int{standards.Pass: 1, standards.Warn: 2, standards.Fail: 3, standards.Unknown: 0, standards.NeedsAdmin: 0, standards.NotApplicable: 99}
	for i, line := range lines {
		var e struct {
			ClassUID    int `json:"class_uid"`
			CategoryUID int `json:"category_uid"`
			TypeUID     int `json:"type_uid"`
			ActivityID  int `json:"activity_id"`
			SeverityID  int `json:"severity_id"`
			Time        int64
			Metadata    struct {
				Version string
				Product struct{ Name string }
			}
			FindingInfo struct{ UID, Title string } `json:"finding_info"`
			Compliance  struct {
				Control      string
				Standards    []string
				Requirements []string
				StatusID     int `json:"status_id"`
			}
			Device struct {
				Hostname string
				OS       struct {
					TypeID int `json:"type_id"`
				}
			}
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %d is not JSON: %v", i+1, err)
		}
		r := rep.Results[i]
		switch {
		case e.ClassUID != 2003 || e.CategoryUID != 2 || e.TypeUID != 200301 || e.ActivityID != 1:
			t.Errorf("%s: class/category/type/activity = %d/%d/%d/%d", r.ID, e.ClassUID, e.CategoryUID, e.TypeUID, e.ActivityID)
		case e.Metadata.Version != "1.3.0" || e.Metadata.Product.Name != "dspt-audit" || e.Time != rep.JudgedAt.UnixMilli():
			t.Errorf("%s: metadata %+v, time %d", r.ID, e.Metadata, e.Time)
		case e.Compliance.Control != r.ID || e.Compliance.StatusID != wantStatus[r.Status] || e.FindingInfo.Title != r.Title || e.FindingInfo.UID == "":
			t.Errorf("%s: compliance %+v, finding %+v", r.ID, e.Compliance, e.FindingInfo)
		case e.Device.Hostname != hostileFormula || e.Device.OS.TypeID != 100:
			t.Errorf("%s: device %+v", r.ID, e.Device)
		case e.SeverityID != ocsfSeverity[r.Severity] || e.SeverityID < 2:
			t.Errorf("%s: severity_id %d", r.ID, e.SeverityID)
		case !strings.Contains(strings.Join(e.Compliance.Requirements, "|"), "NDG standard"):
			t.Errorf("%s: requirements %q name no NDG standard", r.ID, e.Compliance.Requirements)
		}
	}
	if bytes.Contains(out, []byte("<script>")) {
		t.Error("OCSF lines carry a raw <script>; JSON escaping should make it \\u003cscript\\u003e")
	}
}
