package fleet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/report"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/standards"
)

const (
	hostileFormula = `=HYPERLINK("http://x","y")`
	hostileScript  = `<script>alert(1)</script>`
)

// hostileShare is a small generated share in which two hosts are named to
// attack a spreadsheet and a web page.
func hostileShare(t *testing.T) (*share, *Rollup) {
	t.Helper()
	dir := tempDir(t)
	sh := generateShare(t, dir, 40)
	for i, name := range []string{hostileFormula, hostileScript} {
		doc := toMap(t, profileReports(t)[i])
		sh.write(t, filepath.Join(dir, "hostile"+string(rune('a'+i))+".json"), doc, name, "hostile", genNow)
	}
	return sh, rollUp(t, []string{dir}, true)
}

func write(t *testing.T, format string, r *Rollup) []byte {
	t.Helper()
	f, ok := report.LookupFormat(Formats(), format)
	if !ok {
		t.Fatalf("no format %s", format)
	}
	var b bytes.Buffer
	if err := f.Write(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestXLSX(t *testing.T) {
	_, roll := hostileShare(t)
	b := write(t, "xlsx", roll)
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Summary,Hosts,Checks,Host checks,DSPT,Skipped" {
		t.Errorf("sheets %s", got)
	}
	hosts, _ := f.GetRows(sheetHosts)
	if len(hosts) != len(roll.Hosts)+1 {
		t.Fatalf("Hosts sheet has %d rows for %d hosts", len(hosts), len(roll.Hosts))
	}
	for i, h := range roll.Hosts {
		if name := strings.TrimPrefix(hosts[i+1][0], "'"); name != h.Name {
			t.Errorf("Hosts row %d is %q, want %q (worst first)", i+2, hosts[i+1][0], h.Name)
		}
	}
	matrix, _ := f.GetRows(sheetMatrix)
	if len(matrix) != len(roll.Hosts)+1 || len(matrix[0]) != len(roll.Checks)+1 {
		t.Errorf("Host checks sheet is %d x %d", len(matrix), len(matrix[0]))
	}
	checks, _ := f.GetRows(sheetChecks)
	if len(checks) != len(roll.Checks)+1 || checks[1][0] != roll.Checks[0].ID {
		t.Errorf("Checks sheet: %d rows, first %v", len(checks), checks[1])
	}
	skipped, _ := f.GetRows(sheetSkipped)
	if len(skipped) != len(roll.Skipped)+1 {
		t.Errorf("Skipped sheet has %d rows for %d files", len(skipped), len(roll.Skipped))
	}
	outcome, _ := f.GetCellValue(sheetSummary, "B3")
	if outcome != string(roll.Outcome) {
		t.Errorf("Summary B3 = %q, want the practice outcome %q", outcome, roll.Outcome)
	}
	var all []string
	for _, sheet := range f.GetSheetList() {
		rows, _ := f.GetRows(sheet)
		for _, row := range rows {
			all = append(all, row...)
		}
	}
	assertNoLiveFormula(t, all)
	for _, chart := range []string{"xl/charts/chart1.xml", "xl/charts/chart2.xml"} {
		if !zipHas(t, b, chart) {
			t.Errorf("the workbook has no %s (per-standard and outcome charts)", chart)
		}
	}
}

// assertNoLiveFormula fails if any cell would be read as a formula, and if
// the planted one is not there as text.
func assertNoLiveFormula(t *testing.T, cells []string) {
	t.Helper()
	found := false
	for _, c := range cells {
		if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
			t.Errorf("cell %q would be a formula", c)
		}
		found = found || strings.Contains(c, hostileFormula)
	}
	if !found {
		t.Error("the hostile host name is missing: neutralising must keep the text")
	}
}

func zipHas(t *testing.T, b []byte, name string) bool {
	t.Helper()
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

func TestJSONRollup(t *testing.T) {
	sh, roll := hostileShare(t)
	var doc struct {
		Kind      string `json:"kind"`
		HostCount int    `json:"host_count"`
		Outcome   string `json:"outcome"`
		Hosts     []struct {
			Name    string            `json:"name"`
			Outcome string            `json:"outcome"`
			Checks  map[string]string `json:"checks"`
		} `json:"hosts"`
		Checks []struct {
			ID   string `json:"id"`
			Fail int    `json:"fail"`
		} `json:"checks"`
		Skipped []Skipped `json:"skipped"`
	}
	if err := json.Unmarshal(write(t, "json", roll), &doc); err != nil {
		t.Fatalf("the roll-up JSON does not parse: %v", err)
	}
	if doc.Kind != Kind || doc.HostCount != len(sh.newest) || len(doc.Hosts) != len(sh.newest) || doc.Outcome != string(roll.Outcome) || len(doc.Skipped) != len(sh.skipped) {
		t.Errorf("JSON: kind %q, %d/%d hosts, outcome %s, %d skipped", doc.Kind, doc.HostCount, len(doc.Hosts), doc.Outcome, len(doc.Skipped))
	}
	for _, h := range doc.Hosts {
		w := sh.newest[strings.ToLower(h.Name)]
		if w == nil || h.Outcome != w.outcome || len(h.Checks) != len(w.statuses) {
			t.Fatalf("JSON host %q does not match what was written", h.Name)
		}
		for id, s := range w.statuses {
			if h.Checks[id] != s {
				t.Errorf("JSON host %s check %s = %s, want %s", h.Name, id, h.Checks[id], s)
			}
		}
	}
	// A roll-up saved into the share is recognised next time.
	if _, err := (reader{}).decode(write(t, "json", roll)); err == nil || !strings.Contains(err.Error(), "a roll-up") {
		t.Errorf("a saved roll-up decodes as %v", err)
	}
}

func TestCSVRollup(t *testing.T) {
	_, roll := hostileShare(t)
	rows, err := csv.NewReader(bytes.NewReader(write(t, "csv", roll))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(roll.Hosts)+1 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Fatalf("CSV: %d rows, header %v", len(rows), rows[0])
	}
	var all []string
	for _, r := range rows[1:] {
		all = append(all, r...)
	}
	assertNoLiveFormula(t, all)
}

func TestHTMLRollup(t *testing.T) {
	_, roll := hostileShare(t)
	page := string(write(t, "html", roll))
	if strings.Contains(page, hostileScript) || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the host named <script> is not escaped, or not shown")
	}
	for _, want := range []string{string(roll.Outcome), roll.Hosts[0].Name, "Share of hosts meeting each NDG standard", roll.Checks[0].ID} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// TestOCSFRollup: one event per check of every host's newest result, read
// again from the result files.
func TestOCSFRollup(t *testing.T) {
	sh, roll := hostileShare(t)
	want := 0
	for _, w := range sh.newest {
		want += len(w.statuses)
	}
	sc := bufio.NewScanner(bytes.NewReader(write(t, "ocsf", roll)))
	sc.Buffer(nil, 1<<24)
	lines := 0
	for sc.Scan() {
		var ev struct {
			ClassUID int `json:"class_uid"`
			Device   struct {
				Hostname string `json:"hostname"`
			} `json:"device"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.ClassUID != 2003 || sh.newest[strings.ToLower(ev.Device.Hostname)] == nil {
			t.Fatalf("line %d is not a Compliance Finding of a rolled-up host: %v %s", lines+1, err, sc.Bytes()[:200])
		}
		lines++
	}
	if lines != want {
		t.Errorf("%d OCSF events, want %d (one per check of each newest result)", lines, want)
	}
}

func TestTerminalRollup(t *testing.T) {
	_, roll := hostileShare(t)
	var b bytes.Buffer
	if err := Terminal(&b, roll, TerminalOptions{}); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{"Outcome:  " + string(roll.Outcome), "Checks failing most", roll.Checks[0].ID, "Files skipped (", roll.RuleText()[:40]} {
		if !strings.Contains(text, want) {
			t.Errorf("terminal view lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "\x1b[") {
		t.Error("colour codes without Color")
	}
	if roll.Checks[0].Count(standards.Fail) == 0 {
		t.Error("the generated share has no failing check")
	}
}

// TestFleetFormatsMatchTheReports: one --format flag, one help text and
// one extension rule serve 'scan' and 'fleet', so the names, extensions
// and binary flags must be the same.
func TestFleetFormatsMatchTheReports(t *testing.T) {
	mine, theirs := Formats(), report.Formats()
	if len(mine) != len(theirs) {
		t.Fatalf("%d roll-up formats, %d report formats", len(mine), len(theirs))
	}
	for i := range mine {
		if mine[i].Name != theirs[i].Name || strings.Join(mine[i].Exts, ",") != strings.Join(theirs[i].Exts, ",") || mine[i].Binary != theirs[i].Binary {
			t.Errorf("roll-up format %s %v differs from the report's %s %v", mine[i].Name, mine[i].Exts, theirs[i].Name, theirs[i].Exts)
		}
	}
}
