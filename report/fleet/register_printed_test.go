package fleet

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/report/internal/printed"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// minReadable is the smallest size, in points, any printed page may use.
const minReadable = 8

// assertReadableSize checks that every word on the pages prints at
// minReadable points or more, and logs the smallest size found.
func assertReadableSize(t *testing.T, doc *printed.Document, sheet string, pages []printed.Page) {
	t.Helper()
	if len(pages) == 0 {
		t.Errorf("no page is footed %s", sheet)
		return
	}
	smallest, word := 1000.0, ""
	for _, p := range pages {
		for _, w := range p.Words {
			if size := doc.Size(w); size < smallest {
				smallest, word = size, w.Text
			}
		}
	}
	t.Logf("%s: %d pages, smallest text %.1f pt (%q)", sheet, len(pages), smallest, word)
	if smallest < minReadable-0.25 { // a quarter point for measuring boxes, not glyphs
		t.Errorf("%s prints %q at %.1f pt: under %d pt cannot be read on paper", sheet, word, smallest, minReadable)
	}
}

// TestRegisterPrintsReadably prints the asset register workbook, and the
// practice pack with the register's sheets, through LibreOffice: every
// page of the register's sheets and of the pack's Register, Hosts and DSPT
// sheets prints at 8 pt or more, no word prints over another, "could not
// read" reasons print whole, and a product's support prints on its page.
func TestRegisterPrintsReadably(t *testing.T) {
	t.Parallel()
	data, err := standards.Load()
	if err != nil {
		t.Fatal(err)
	}
	roll := practiceRollup(t, writeProfiles(t, nil), fleetPractice())
	reg := BuildRegister(roll, registerPractice, data.Software.Products)
	var own bytes.Buffer
	if err := RegisterXLSX(&own, reg); err != nil {
		t.Fatal(err)
	}
	roll.Register = reg
	pack := write(t, "xlsx", roll)
	when := "Generated " + roll.GeneratedAt.UTC().Format(time.DateOnly)

	doc := printed.Print(t, tempDir(t), own.Bytes())
	printed.AssertHeaded(t, doc, "Digital asset register", when)
	for _, sheet := range []string{sheetRegister, sheetSoftware, sheetAssets} {
		pages := doc.SheetPages(sheet)
		assertReadableSize(t, doc, "register.xlsx "+sheet, pages)
		printed.AssertNoOverprint(t, "register.xlsx "+sheet, pages)
	}
	pages := doc.SheetPages(sheetRegister)
	assertPrintsWhole(t, pages, "could not read (not recorded by this scan)")
	assertPrintsWhole(t, pages, "could not tell (needs admin rights)")
	if n := len(doc.SheetPages(sheetSoftware)) + len(doc.SheetPages(sheetAssets)) + len(pages); n != len(doc.Pages) {
		t.Errorf("%d of register.xlsx's %d pages are not footed with their sheet", len(doc.Pages)-n, len(doc.Pages))
	}
	for _, p := range doc.SheetPages(sheetSoftware) {
		if !p.Has("Product", "Support") {
			t.Errorf("Software page %d does not print every column: a product's support is on another page", p.Number)
		}
	}

	doc = printed.Print(t, tempDir(t), pack)
	for _, sheet := range []string{sheetRegister, sheetHosts, sheetDSPT} {
		pages := doc.SheetPages(sheet)
		assertReadableSize(t, doc, "pack "+sheet, pages)
		printed.AssertNoOverprint(t, "pack "+sheet, pages)
	}
}

// assertPrintsWhole checks that some page prints the phrase's words.
func assertPrintsWhole(t *testing.T, pages []printed.Page, phrase string) {
	t.Helper()
	for _, p := range pages {
		if p.Has(strings.Fields(phrase)...) {
			return
		}
	}
	t.Errorf("no page prints %q whole", phrase)
}
