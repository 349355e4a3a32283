package report

import (
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/report/internal/printed"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// minPrintedSize is the smallest text a printed page may carry, in
// points.
const minPrintedSize = 8

// TestXLSXPrintsReadably prints the workbook of the largest profile
// through LibreOffice and reads the pages: every page says which machine,
// which scan date and which page of how many; every page prints at 8 pt
// or more (the Findings sheet printed at 3.8 pt), Findings with its
// header on each page; headers and evidence kinds print whole, never
// broken mid-word, and nothing prints over anything else.
func TestXLSXPrintsReadably(t *testing.T) {
	t.Parallel()
	rep := buildProfile(t, biggestProfile)
	doc := printed.Print(t, tempDir(t), render(t, "xlsx", rep))
	printed.AssertHeaded(t, doc, rep.Host.Name, "Scanned "+rep.ScannedAt.UTC().Format(time.DateOnly))

	findings := doc.SheetPages(sheetFindings)
	if len(findings) == 0 {
		t.Fatalf("no page is footed %q", sheetFindings)
	}
	for _, p := range doc.Pages {
		smallest := printed.Word{Text: "(none)", YMax: 100}
		for _, w := range p.Words {
			if doc.Size(w) < doc.Size(smallest) {
				smallest = w
			}
		}
		if size := doc.Size(smallest); size < minPrintedSize {
			t.Errorf("page %d prints %q at %.1f pt, under %d pt", p.Number, smallest.Text, size, minPrintedSize)
		}
	}
	for _, p := range findings {
		if !p.Has("Check", "NDG", "standard", "Severity", "Remediation") {
			t.Errorf("Findings page %d does not repeat the header row whole:\n%s", p.Number, p.Text)
		}
	}
	printed.AssertNoOverprint(t, sheetFindings, findings)

	evidence := doc.SheetPages(sheetEvidence)
	kinds := map[string]bool{}
	for _, r := range rep.Results {
		for _, e := range r.Evidence {
			kinds[string(e.Source)] = true
		}
	}
	if len(kinds) < 3 {
		t.Fatalf("only %d kinds of evidence in %s", len(kinds), biggestProfile)
	}
	for kind := range kinds {
		whole := false
		for _, p := range evidence {
			whole = whole || p.Has(kind)
		}
		if !whole {
			t.Errorf("no Evidence page prints the kind %q whole", kind)
		}
	}
	printed.AssertNoOverprint(t, sheetEvidence, evidence)
}

// TestXLSXPassingFindingsCarryNoRemedy: the all-pass Windows 11 report
// says nothing of upgrading.
func TestXLSXPassingFindingsCarryNoRemedy(t *testing.T) {
	rep := buildProfile(t, "win11-enterprise-24h2-patched")
	f := openWorkbook(t, render(t, "xlsx", rep))
	rows, err := f.GetRows(sheetFindings)
	if err != nil {
		t.Fatal(err)
	}
	col := colOf(t, rows[0], "Remediation")
	passes := 0
	for _, row := range rows[1:] {
		if row[2] != "pass" && row[2] != "n/a" {
			continue
		}
		passes++
		if col < len(row) && row[col] != "" {
			t.Errorf("passing %s still says %q", row[0], row[col])
		}
	}
	if passes < 10 {
		t.Fatalf("only %d passing findings in the all-pass profile", passes)
	}
	for _, r := range rep.Results {
		if r.Status == standards.Fail && !strings.Contains(strings.Join(flatten(rows), "|"), r.Remediation) {
			t.Errorf("failing %s lost its remediation", r.ID)
		}
	}
}

func colOf(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %q", name, header)
	return -1
}

func TestWrappedLines(t *testing.T) {
	for _, c := range []struct {
		text  string
		width float64
		want  int
	}{
		{"", 10, 1},
		{"short", 10, 1},
		{"one two three", 10, 2},                // "one two" / "three"
		{"aaaa bbbb cccc", 10, 2},               // "aaaa bbbb" is 9: "cccc" wraps
		{"abcdefghijklmnopqrstuvwxyz", 10, 3},   // a long word breaks across lines
		{"x abcdefghijklmnopqrstuvwxyz", 10, 4}, // and starts on a line of its own
		{"first\nsecond\n\nfourth", 40, 4},      // each paragraph a line, blank ones too
		{"root\\Microsoft\\Windows\\SMB: SELECT EnableSMB1Protocol FROM MSFT_SmbServerConfiguration", 42, 3},
	} {
		if got := WrappedLines(c.text, c.width); got != c.want {
			t.Errorf("WrappedLines(%q, %v) = %d, want %d", c.text, c.width, got, c.want)
		}
	}
}
