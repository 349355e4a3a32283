package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// withDetails is the 1607 report with the known-exploits finding listing
// n exploited flaws.
func withDetails(t *testing.T, n int) (*Report, []string) {
	t.Helper()
	rep := buildProfile(t, "win10-1607-wannacry-era")
	var details []string
	for i := range n {
		details = append(details, fmt.Sprintf("CVE-2026-%05d Test flaw %d: fixed by KB5070000 of 2026-01-13", 20000+i, i))
	}
	for i := range rep.Results {
		if rep.Results[i].ID == "known-exploits" {
			rep.Results[i].Details = details
			return rep, details
		}
	}
	t.Fatal("no known-exploits result")
	return nil, nil
}

func TestHTMLFoldsDetailsAfterTen(t *testing.T) {
	rep, details := withDetails(t, 13)
	var buf bytes.Buffer
	if err := HTML(&buf, rep); err != nil {
		t.Fatal(err)
	}
	_, finding, _ := strings.Cut(buf.String(), `id="known-exploits"`)
	finding, _, _ = strings.Cut(finding, "</article>")
	open, folded, ok := strings.Cut(finding, "<summary>3 more</summary>")
	if !ok {
		t.Fatalf("no fold saying \"3 more\" in the finding:\n%s", finding)
	}
	for i, d := range details {
		in := open
		if i >= 10 {
			in = folded
		}
		if !strings.Contains(in, "<li>"+d+"</li>") {
			t.Errorf("detail %d (%s) is not where it belongs (first ten open, the rest folded)", i, d)
		}
	}
}

func TestHTMLNoFoldForTenOrFewer(t *testing.T) {
	rep, _ := withDetails(t, 10)
	var buf bytes.Buffer
	if err := HTML(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), " more</summary>") {
		t.Error("ten details were folded")
	}
}

func TestWorkbookFindingListsDetails(t *testing.T) {
	rep, details := withDetails(t, 13)
	var buf bytes.Buffer
	if err := XLSX(&buf, rep); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(sheetFindings)
	col := -1
	for i, h := range rows[0] {
		if h == "Finding" {
			col = i
		}
	}
	for _, row := range rows[1:] {
		if row[0] != "known-exploits" {
			continue
		}
		for _, d := range details {
			if !strings.Contains(row[col], "• "+d) {
				t.Errorf("the Findings cell lacks %q", d)
			}
		}
		return
	}
	t.Error("no known-exploits row in Findings")
}
