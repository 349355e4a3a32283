package fleet

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

// TestXLSXOpensInLibreOffice opens the roll-up workbook in a real
// spreadsheet program: LibreOffice converts each sheet to CSV, and the
// practice outcome, every host (worst first), and the skipped files must
// be there. CI sets DSPT_AUDIT_REQUIRE_LIBREOFFICE=1, so there it cannot
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
	_, roll := hostileShare(t)
	dir := tempDir(t)
	book := filepath.Join(dir, "practice.xlsx")
	if err := os.WriteFile(book, write(t, "xlsx", roll), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Sheet -1 writes every sheet to its own file, practice-<Sheet>.csv.
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", dir, book)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("LibreOffice could not convert the workbook: %v\n%s", err, out)
	}
	sheet := func(name string) [][]string {
		f, err := os.Open(filepath.Join(dir, "practice-"+name+".csv"))
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
	var summary []string
	for _, row := range sheet(sheetSummary) {
		summary = append(summary, strings.Join(row, "|"))
	}
	text := strings.Join(summary, "\n")
	for _, want := range []string{"Practice outcome|" + string(roll.Outcome), "Host outcome", "9|IT protection"} {
		if !strings.Contains(text, want) {
			t.Errorf("Summary as LibreOffice reads it lacks %q:\n%s", want, text)
		}
	}
	hosts := sheet(sheetHosts)
	if len(hosts) != len(roll.Hosts)+1 {
		t.Fatalf("Hosts as LibreOffice reads it: %d rows for %d hosts", len(hosts), len(roll.Hosts))
	}
	sawFormula := false
	for i, h := range roll.Hosts {
		name := hosts[i+1][0]
		sawFormula = sawFormula || name == "'"+hostileFormula
		if strings.TrimPrefix(name, "'") != h.Name || hosts[i+1][5] != string(h.Outcome) {
			t.Errorf("Hosts row %d = %q %q, want %s %s", i+2, name, hosts[i+1][5], h.Name, h.Outcome)
		}
	}
	if !sawFormula {
		t.Error("the host named as a formula did not survive as text")
	}
	if skipped := sheet(sheetSkipped); len(skipped) != len(roll.Skipped)+1 {
		t.Errorf("Skipped as LibreOffice reads it: %d rows for %d files", len(skipped), len(roll.Skipped))
	}
}
