package report

import (
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestXLSXOpensInLibreOffice opens the workbook in a real spreadsheet
// program, not only in the library that wrote it: LibreOffice converts each
// sheet to CSV and the Summary and Findings must have survived. CI installs
// LibreOffice and sets DSPT_AUDIT_REQUIRE_LIBREOFFICE=1, so there it cannot
// be skipped.
func TestXLSXOpensInLibreOffice(t *testing.T) {
	t.Parallel()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("DSPT_AUDIT_REQUIRE_LIBREOFFICE") != "" {
			t.Fatal("LibreOffice (soffice) is required here but not installed: apt-get install libreoffice-calc-nogui")
		}
		t.Skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
	}
	rep := hostileReport(t)
	dir := tempDir(t)
	book := filepath.Join(dir, "r.xlsx")
	if err := os.WriteFile(book, render(t, "xlsx", rep), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Sheet -1 writes every sheet to its own file, r-<Sheet>.csv.
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", dir, book)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("LibreOffice could not convert the workbook: %v\n%s", err, out)
	}
	sheet := func(name string) [][]string {
		f, err := os.Open(filepath.Join(dir, "r-"+name+".csv"))
		if err != nil {
			t.Fatalf("LibreOffice wrote no %s sheet: %v", name, err)
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

	summary := sheet(sheetSummary)
	text := strings.Join(flatten(summary), "|")
	for _, want := range []string{"Host|'" + hostileFormula, string(rep.Outcome), "1|Personal confidential data", "9|IT protection", "not assessed by this tool"} {
		if !strings.Contains(text, want) {
			t.Errorf("Summary as LibreOffice reads it lacks %q:\n%s", want, text)
		}
	}
	findings := sheet(sheetFindings)
	if len(findings) != len(rep.Results)+1 || strings.Join(findings[0], ",") != strings.Join(findingSheetHeader, ",") {
		t.Fatalf("Findings as LibreOffice reads it: %d rows, header %q", len(findings), findings[0])
	}
	for i, r := range rep.ByAttention() {
		if findings[i+1][0] != r.ID || findings[i+1][2] != r.Status.Label() {
			t.Errorf("Findings row %d = %q %q, want %s %s", i+1, findings[i+1][0], findings[i+1][2], r.ID, r.Status)
		}
	}
	// A formula that LibreOffice evaluated would have left only its result.
	evidence := strings.Join(flatten(sheet(sheetEvidence)), "|")
	if !strings.Contains(evidence, "'"+hostileFormula) {
		t.Errorf("the planted formula did not survive as text in the Evidence sheet:\n%s", evidence)
	}
}
