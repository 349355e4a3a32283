package fleet

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

var registerPractice = &standards.Practice{
	Name: "Riverside Surgery",
	Hosts: []standards.HostNote{
		{Host: "gp-reception-01", Location: "Front desk", Owner: "Practice Manager"},
		{Host: "GP-LINUX-DESK-01", Location: "IT cupboard", Owner: "IT supplier", Notes: "spare"},
	},
	Assets: []standards.Asset{
		{Name: "Main switch", Kind: "network device", Location: "Comms cabinet", Owner: "IT supplier"},
		{Name: "Appointments data", Kind: "data set", Owner: "Caldicott Guardian"},
	},
}

// registerOfProfiles rolls up every machine profile's report, each in a
// file named after its profile, and builds the register.
func registerOfProfiles(t *testing.T) (*Rollup, *Register, map[string]*report.Report) {
	t.Helper()
	dir := tempDir(t)
	paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "profiles", "*.json"))
	newest := map[string]*report.Report{} // by host, chosen as the roll-up must: newest, then file name
	newestFile := map[string]string{}
	data, err := builtInData()
	if err != nil {
		t.Fatal(err)
	}
	reps := profileReports(t) // judged once, from the same files in the same order
	if len(reps) != len(paths) {
		t.Fatalf("%d profiles judged, %d found", len(reps), len(paths))
	}
	for i, p := range paths {
		rep := reps[i]
		file := filepath.Join(dir, filepath.Base(p))
		var b bytes.Buffer
		if err := report.JSON(&b, rep); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		key := strings.ToLower(rep.Host.Name)
		if old, ok := newest[key]; !ok || rep.ScannedAt.After(old.ScannedAt) || rep.ScannedAt.Equal(old.ScannedAt) && file < newestFile[key] {
			newest[key], newestFile[key] = rep, file
		}
	}
	roll, err := Read(context.Background(), []string{dir}, Options{
		Tool: report.Tool{Name: "dspt-audit", Version: "test"}, Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Standards: data.NDG.Standards,
	})
	if err != nil {
		t.Fatal(err)
	}
	return roll, BuildRegister(roll, registerPractice, data.Software.Products), newest
}

func TestRegisterOfTheProfiles(t *testing.T) {
	roll, reg, newest := registerOfProfiles(t)
	if len(reg.Devices) != len(newest) || len(roll.Hosts) != len(newest) || len(reg.Skipped) != 0 {
		t.Fatalf("%d devices, %d hosts rolled up, %d hosts in the profiles, skipped %v", len(reg.Devices), len(roll.Hosts), len(newest), reg.Skipped)
	}
	withFacts := map[string][2]string{ // serial, model
		"GP-RECEPTION-01": {"7HX2KQ3", "OptiPlex 7010"}, "GP-CONSULT-07": {"PF4XK2LM", "21HD0043UK"},
		"GP-DISPENSARY-04": {"CZC6273KQ9", "HP EliteDesk 800 G2 SFF"}, "gp-linux-desk-01": {"PF4XR7TN", "21HD0043UK"},
		"vm": {"could not read (the PC did not report it)", "Standard PC (Q35 + ICH9, 2009)"},
	}
	for _, d := range reg.Devices {
		want, ok := withFacts[d.Name]
		if !ok {
			want = [2]string{"could not read (not recorded by this scan)", "could not read (not recorded by this scan)"}
		}
		if got := [2]string{FactText(d.Facts.Serial), FactText(d.Facts.Model)}; got != want {
			t.Errorf("%s: serial, model %q, want %q", d.Name, got, want)
		}
		rep := newest[strings.ToLower(d.Name)]
		if !d.LastSeen.Equal(rep.ScannedAt) {
			t.Errorf("%s: last seen %s, its newest result %s", d.Name, d.LastSeen, rep.ScannedAt)
		}
	}
	byName := map[string]Device{}
	for _, d := range reg.Devices {
		byName[d.Name] = d
	}
	if d := byName["GP-RECEPTION-01"]; d.Location != "Front desk" || d.Owner != "Practice Manager" {
		t.Errorf("host note matched case-insensitively: %+v", d)
	}
	if d := byName["GP-DISPENSARY-04"]; d.Support != "NOT supported" || !strings.Contains(d.SupportDetail, "2025-10-14") {
		t.Errorf("Windows 10 without ESU: support %q, %q", d.Support, d.SupportDetail)
	}
	if d := byName["GP-CONSULT-07"]; FactText(d.Facts.TPM) != "could not read (needs admin rights)" || d.Encryption != "could not tell (needs admin rights)" {
		t.Errorf("non-admin scan: TPM %q, encryption %q", FactText(d.Facts.TPM), d.Encryption)
	}
	if d := byName["GP-RECEPTION-01"]; d.Encryption != "encrypted" {
		t.Errorf("BitLocker on: encryption %q", d.Encryption)
	}
	if len(reg.Assets) != 2 {
		t.Errorf("non-PC assets %v", reg.Assets)
	}
	// Every software row's device count, counted again from the reports.
	for _, s := range reg.Software {
		n := 0
		for _, rep := range newest {
			if rep.Asset == nil {
				continue
			}
			for _, p := range rep.Asset.Software {
				if p.Name == s.Name && p.Version == s.Version {
					n++
					break
				}
			}
		}
		if n != s.Devices {
			t.Errorf("%s %s on %d devices, counted %d", s.Name, s.Version, s.Devices, n)
		}
	}
	var flash *SoftwareRow
	for i := range reg.Software {
		if strings.HasPrefix(reg.Software[i].Name, "Adobe Flash Player") {
			flash = &reg.Software[i]
		}
	}
	if flash == nil || !strings.HasPrefix(flash.Support, "unsupported since") {
		t.Errorf("Adobe Flash Player: %+v", flash)
	}
	if h := reg.Headline(); !strings.Contains(h, "from 18 scan results") || !strings.Contains(h, "16 devices") || !strings.Contains(h, "2026-12-01 00:00 UTC") {
		t.Errorf("headline %q", h)
	}
}

func TestRegisterCSV(t *testing.T) {
	_, reg, _ := registerOfProfiles(t)
	var b bytes.Buffer
	if err := RegisterCSV(&b, reg); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(reg.Devices)+1 || rows[0][3] != "Serial number" {
		t.Fatalf("%d rows for %d devices; header %q", len(rows), len(reg.Devices), rows[0])
	}
	for i, d := range reg.Devices {
		if rows[i+1][0] != d.Name || rows[i+1][3] != FactText(d.Facts.Serial) || rows[i+1][len(rows[i+1])-1] != "18" {
			t.Errorf("row %d %q", i+1, rows[i+1])
		}
	}
}

// TestRegisterOpensInLibreOffice converts the register workbook, and the
// fleet workbook with the register's sheets, to CSV with LibreOffice.
func TestRegisterOpensInLibreOffice(t *testing.T) {
	t.Parallel()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("DSPT_AUDIT_REQUIRE_LIBREOFFICE") != "" {
			t.Fatal("LibreOffice (soffice) is required here but not installed: apt-get install libreoffice-calc-nogui")
		}
		t.Skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
	}
	roll, reg, _ := registerOfProfiles(t)
	dir := tempDir(t)
	var own, fleet bytes.Buffer
	if err := RegisterXLSX(&own, reg); err != nil {
		t.Fatal(err)
	}
	roll.Register = reg
	if err := XLSX(&fleet, roll); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"register": own.Bytes(), "practice": fleet.Bytes()} {
		book := filepath.Join(dir, name+".xlsx")
		if err := os.WriteFile(book, b, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
			"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", dir, book)
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("LibreOffice could not convert %s: %v\n%s", name, err, out)
		}
		sheet := func(s string) [][]string {
			f, err := os.Open(filepath.Join(dir, name+"-"+s+".csv"))
			if err != nil {
				t.Fatalf("%s: LibreOffice wrote no %s sheet: %v", name, s, err)
			}
			defer f.Close()
			r := csv.NewReader(f)
			r.FieldsPerRecord = -1
			rows, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			return rows
		}
		rows := sheet(sheetRegister)
		if len(rows) != 4+len(reg.Devices) || !strings.HasPrefix(rows[1][1], "Generated ") || rows[3][3] != "Serial number" {
			t.Fatalf("%s: Register has %d rows for %d devices: %q", name, len(rows), len(reg.Devices), rows[:min(len(rows), 4)])
		}
		for i, d := range reg.Devices {
			if row := rows[4+i]; row[0] != d.Name || row[3] != FactText(d.Facts.Serial) || row[2] != FactText(d.Facts.Model) {
				t.Errorf("%s: Register row %d = %q, want %s %s", name, 5+i, row[:4], d.Name, FactText(d.Facts.Serial))
			}
		}
		if sw := sheet(sheetSoftware); len(sw) != len(reg.Software)+1 {
			t.Errorf("%s: Software has %d rows for %d products", name, len(sw), len(reg.Software))
		}
		if assets := sheet("Other assets"); len(assets) != 3 || assets[1][0] != "Main switch" {
			t.Errorf("%s: Other assets %q", name, assets)
		}
	}
}

// A result's facts are untrusted: formulas stay text, control characters
// are shown as escapes, a last user the practice did not ask for is not
// kept, and one host's text never describes another host's software.
func TestRegisterOfHostileResults(t *testing.T) {
	data, err := standards.Load()
	if err != nil {
		t.Fatal(err)
	}
	dir := tempDir(t)
	for i, name := range []string{"HONEST-PC", "HOSTILE-PC"} {
		rep, err := judge(filepath.Join("..", "..", "testdata", "profiles", "win11-enterprise-24h2-patched.json"), data)
		if err != nil {
			t.Fatal(err)
		}
		rep.Host.Name = name
		if i == 1 {
			a := *rep.Asset
			a.Serial = checks.Fact{Value: "=HYPERLINK(\"http://evil\")\x1b[31m" + strings.Repeat("x", 5000)}
			a.LastUser = &checks.Fact{Value: `PRACTICE\alice`}
			a.Software = []checks.Program{{Name: "Example Viewer", Version: "1.0", Publisher: "Evil \x07 Corp"}}
			rep.Asset = &a
		} else {
			rep.Asset.Software = []checks.Program{{Name: "Example Viewer", Version: "1.0", Publisher: "Example Ltd"}}
		}
		var b bytes.Buffer
		if err := report.JSON(&b, rep); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".json"), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	roll, err := Read(context.Background(), []string{dir}, Options{Now: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Standards: data.NDG.Standards})
	if err != nil {
		t.Fatal(err)
	}
	reg := BuildRegister(roll, &standards.Practice{Name: "Riverside"}, data.Software.Products)
	if len(reg.Devices) != 2 {
		t.Fatalf("%d devices", len(reg.Devices))
	}
	honest, hostile := reg.Devices[0], reg.Devices[1]
	if FactText(honest.Facts.Serial) != "7HX2KQ3" {
		t.Errorf("the honest PC's serial became %q", FactText(honest.Facts.Serial))
	}
	serial := FactText(hostile.Facts.Serial)
	if strings.ContainsRune(serial, '\x1b') || !strings.Contains(serial, `\x1b`) || len(serial) > 400 {
		t.Errorf("hostile serial kept as %q", serial)
	}
	if hostile.Facts.LastUser != nil {
		t.Error("a last user the practice did not ask for is in the register")
	}
	asked := BuildRegister(roll, &standards.Practice{Name: "Riverside", RecordLastUser: true}, data.Software.Products)
	if u := asked.Devices[1].Facts.LastUser; u == nil || u.Value != `PRACTICE\alice` {
		t.Errorf("the practice asked for the last user, got %+v", u)
	}
	if len(reg.Software) != 2 || reg.Software[0].Devices != 1 || reg.Software[1].Devices != 1 || reg.Software[0].Publisher == reg.Software[1].Publisher {
		t.Errorf("software rows %+v: each publisher's text must stay with its own host", reg.Software)
	}
	var b bytes.Buffer
	if err := RegisterCSV(&b, reg); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if cell := rows[2][3]; !strings.HasPrefix(cell, "'=") {
		t.Errorf("the formula serial is written as %q", cell[:min(len(cell), 40)])
	}
}

// TestRegisterSaysWhyInWords: no cell of the register, as CSV, as its own
// workbook or as the pack's sheet, shows a status's or an error class's
// internal name or points to a JSON report the register does not have; an
// OS support detail is kept whole.
func TestRegisterSaysWhyInWords(t *testing.T) {
	roll, reg, newest := registerOfProfiles(t)
	for _, d := range reg.Devices {
		var summary string
		for _, c := range newest[strings.ToLower(d.Name)].Results {
			if c.ID == "os-supported" {
				summary = c.Summary
			}
		}
		if d.SupportDetail != summary {
			t.Errorf("%s: OS support detail %q, its result says %q", d.Name, d.SupportDetail, summary)
		}
	}
	var csvOut, own, pack bytes.Buffer
	if err := RegisterCSV(&csvOut, reg); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&csvOut).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if err := RegisterXLSX(&own, reg); err != nil {
		t.Fatal(err)
	}
	roll.Register = reg
	if err := XLSX(&pack, roll); err != nil {
		t.Fatal(err)
	}
	sheets := map[string][][]string{"register.csv": rows}
	for name, b := range map[string][]byte{"register.xlsx": own.Bytes(), "pack": pack.Bytes()} {
		rows, err := openBook(t, b).GetRows(sheetRegister)
		if err != nil {
			t.Fatal(err)
		}
		sheets[name+" "+sheetRegister] = rows
	}
	seen := map[string]bool{}
	for where, rows := range sheets {
		for i, row := range rows {
			for _, cell := range row {
				for _, raw := range []string{"not_recorded", "needs_admin", "not_found", "access_denied", "JSON report"} {
					if strings.Contains(cell, raw) {
						t.Errorf("%s row %d: %q says %q", where, i+1, cell, raw)
					}
				}
				seen[cell] = true
			}
		}
	}
	for _, want := range []string{"could not read (not recorded by this scan)", "could not tell (needs admin rights)", "could not read (needs admin rights)"} {
		if !seen[want] {
			t.Errorf("no cell says %q: the profiles no longer show it", want)
		}
	}
}

// A fact or summary over the register's bounds is cut with a plain "…":
// the register has no JSON report behind it to point to.
func TestRegisterCutsLongText(t *testing.T) {
	long := strings.Repeat("a", 5000)
	if got := clean(long); len([]rune(got)) != maxRegisterText || !strings.HasSuffix(got, "…") {
		t.Errorf("a fact of 5000 characters is kept as %d characters ending %q", len([]rune(got)), got[len(got)-10:])
	}
	if got := cleanLong(long); len([]rune(got)) != maxRegisterLongText || !strings.HasSuffix(got, "…") {
		t.Errorf("a summary of 5000 characters is kept as %d characters", len([]rune(got)))
	}
	d := Device{Name: "PC", Notes: strings.Repeat("n", 3000), Programs: 1}
	for _, c := range d.cells() {
		if s, ok := c.(string); ok && (len([]rune(s)) > report.ShownLimit || strings.Contains(report.Shown(s), "JSON")) {
			t.Errorf("a cell of %d characters would point to a JSON report", len([]rune(s)))
		}
	}
}
