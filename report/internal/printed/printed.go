// Package printed prints workbooks the way a practice would, through
// LibreOffice to PDF, and reads the pages back with poppler's pdftotext:
// what each page says, and how large its words print. For tests only.
package printed

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// Word is one word of a printed page and its box, in points.
type Word struct {
	Text                   string
	XMin, YMin, XMax, YMax float64
}

// Height is the height of the word's box, in points.
func (w Word) Height() float64 { return w.YMax - w.YMin }

// Page is one printed page.
type Page struct {
	Number        int // from 1
	Width, Height float64
	Words         []Word
	Text          string // the page laid out as pdftotext -layout lays it out
}

// Has reports whether the page prints each of the words whole.
func (p Page) Has(words ...string) bool {
	for _, want := range words {
		found := false
		for _, w := range p.Words {
			found = found || w.Text == want
		}
		if !found {
			return false
		}
	}
	return true
}

// Document is a printed workbook.
type Document struct {
	Pages []Page
	// PointsPerHeight turns a word's box height into its font size in
	// points, measured by printing a reference cell of known size with the
	// same program and fonts.
	PointsPerHeight float64
}

// Size is the font size in points a word printed at.
func (d *Document) Size(w Word) float64 { return w.Height() * d.PointsPerHeight }

// SheetPages are the pages whose footer names the sheet: the workbooks
// print the sheet's name at the bottom left of each page.
func (d *Document) SheetPages(sheet string) []Page {
	var out []Page
	for _, p := range d.Pages {
		if footerSheet(p) == sheet {
			out = append(out, p)
		}
	}
	return out
}

// margin is how far from the paper's edge a header or footer prints, in
// points: inside the top and bottom margins of PrintSetup.
const margin = 40

// footerSheet is the text at the bottom left of a page.
func footerSheet(p Page) string {
	return p.within(0, p.Height-margin, p.Width/3, p.Height)
}

// header is the text at the top of a page.
func header(p Page) string { return p.within(0, 0, p.Width, margin) }

// containsWords reports whether text has every word of want, whole.
func containsWords(text, want string) bool {
	have := strings.Fields(text)
	for _, w := range strings.Fields(want) {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// within is the words inside a rectangle, in reading order.
func (p Page) within(x0, y0, x1, y1 float64) string {
	var words []string
	for _, w := range p.Words {
		if w.XMin >= x0 && w.XMax <= x1 && w.YMin >= y0 && w.YMax <= y1 {
			words = append(words, w.Text)
		}
	}
	return strings.Join(words, " ")
}

// referenceSize is the size of the reference cell's text, in points.
const referenceSize = 20

// Print converts the workbook to PDF with LibreOffice and reads its pages
// back. It skips the test when LibreOffice or poppler are not installed,
// unless DSPT_AUDIT_REQUIRE_LIBREOFFICE is set, as CI sets it.
func Print(t testing.TB, dir string, book []byte) *Document {
	t.Helper()
	soffice := tool(t, "soffice", "libreoffice-calc-nogui")
	pdftotext := tool(t, "pdftotext", "poppler-utils")
	if err := os.WriteFile(filepath.Join(dir, "book.xlsx"), book, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "reference.xlsx"), reference(t), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "pdf", "--outdir", dir, filepath.Join(dir, "book.xlsx"), filepath.Join(dir, "reference.xlsx"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("LibreOffice could not print the workbook: %v\n%s", err, out)
	}
	if keep := os.Getenv("DSPT_AUDIT_KEEP_PRINTED"); keep != "" {
		// A person can look at what the test read: the PDF is copied there.
		if b, err := os.ReadFile(filepath.Join(dir, "book.pdf")); err == nil {
			os.WriteFile(filepath.Join(keep, strings.ReplaceAll(t.Name(), "/", "_")+".pdf"), b, 0o644)
		}
	}
	doc := &Document{Pages: pages(t, ctx, pdftotext, filepath.Join(dir, "book.pdf"))}
	ref := pages(t, ctx, pdftotext, filepath.Join(dir, "reference.pdf"))
	if len(ref) != 1 || len(ref[0].Words) == 0 {
		t.Fatalf("the reference cell printed as %d pages", len(ref))
	}
	doc.PointsPerHeight = referenceSize / ref[0].Words[0].Height()
	return doc
}

func tool(t testing.TB, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("DSPT_AUDIT_REQUIRE_LIBREOFFICE") != "" {
			t.Fatalf("%s is required here but not installed: apt-get install %s", name, pkg)
		}
		t.Skipf("%s is not installed (apt-get install %s): the workbook cannot be printed", name, pkg)
	}
	return path
}

// reference is a workbook of one cell in the default font at a known size,
// printed at 100%.
func reference(t testing.TB) []byte {
	f := excelize.NewFile()
	defer f.Close()
	family, err := f.GetDefaultFont()
	if err != nil {
		t.Fatal(err)
	}
	style, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: family, Size: referenceSize}})
	if err == nil {
		err = f.SetCellValue("Sheet1", "A1", "Reference")
	}
	if err == nil {
		err = f.SetCellStyle("Sheet1", "A1", "A1", style)
	}
	var b bytes.Buffer
	if err == nil {
		_, err = f.WriteTo(&b)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pages reads a PDF's words with their boxes, and its laid-out text.
func pages(t testing.TB, ctx context.Context, pdftotext, pdf string) []Page {
	t.Helper()
	boxes, err := exec.CommandContext(ctx, pdftotext, "-bbox", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox %s: %v", pdf, err)
	}
	layout, err := exec.CommandContext(ctx, pdftotext, "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -layout %s: %v", pdf, err)
	}
	var doc struct {
		Pages []struct {
			Width  float64 `xml:"width,attr"`
			Height float64 `xml:"height,attr"`
			Words  []struct {
				Text string  `xml:",chardata"`
				XMin float64 `xml:"xMin,attr"`
				YMin float64 `xml:"yMin,attr"`
				XMax float64 `xml:"xMax,attr"`
				YMax float64 `xml:"yMax,attr"`
			} `xml:"word"`
		} `xml:"body>doc>page"`
	}
	// The -bbox output is XHTML with a doctype the decoder need not fetch.
	d := xml.NewDecoder(bytes.NewReader(boxes))
	d.Strict = false
	if err := d.Decode(&doc); err != nil {
		t.Fatalf("reading pdftotext -bbox output: %v", err)
	}
	texts := strings.Split(string(layout), "\f")
	var out []Page
	for i, p := range doc.Pages {
		page := Page{Number: i + 1, Width: p.Width, Height: p.Height}
		if i < len(texts) {
			page.Text = texts[i]
		}
		for _, w := range p.Words {
			page.Words = append(page.Words, Word{Text: w.Text, XMin: w.XMin, YMin: w.YMin, XMax: w.XMax, YMax: w.YMax})
		}
		out = append(out, page)
	}
	return out
}

var pageOf = regexp.MustCompile(`Page (\d+) of (\d+)`)

// AssertHeaded checks that every page is headed with who and when and
// footed with "Page n of N", n its own number and N the page count.
func AssertHeaded(t testing.TB, d *Document, who, when string) {
	t.Helper()
	if len(d.Pages) == 0 {
		t.Fatal("nothing printed")
	}
	for _, p := range d.Pages {
		if head := header(p); !containsWords(head, who) || !containsWords(head, when) {
			t.Errorf("page %d is headed %q, want %q and %q", p.Number, head, who, when)
		}
		m := pageOf.FindStringSubmatch(p.Text)
		if m == nil || m[1] != strconv.Itoa(p.Number) || m[2] != strconv.Itoa(len(d.Pages)) {
			t.Errorf("page %d says %q, want \"Page %d of %d\"", p.Number, m, p.Number, len(d.Pages))
		}
		if footerSheet(p) == "" {
			t.Errorf("page %d does not name its sheet at the bottom", p.Number)
		}
	}
}

// AssertNoOverprint checks that no two words on the pages print over each
// other, as text does when a row is too short for its wrapped lines.
func AssertNoOverprint(t testing.TB, where string, pages []Page) {
	t.Helper()
	for _, p := range pages {
		for i, a := range p.Words {
			for _, b := range p.Words[i+1:] {
				if overlap(a, b) {
					t.Errorf("%s page %d: %q and %q print over each other", where, p.Number, a.Text, b.Text)
					return
				}
			}
		}
	}
}

// overlap is whether two boxes share more than a sliver: a quarter of the
// shorter height and of the narrower width.
func overlap(a, b Word) bool {
	dx := math.Min(a.XMax, b.XMax) - math.Max(a.XMin, b.XMin)
	dy := math.Min(a.YMax, b.YMax) - math.Max(a.YMin, b.YMin)
	return dx > 0.25*math.Min(a.XMax-a.XMin, b.XMax-b.XMin) && dy > 0.25*math.Min(a.Height(), b.Height())
}

// ZipPart reads one part of a workbook's zip, such as xl/charts/chart1.xml.
func ZipPart(t *testing.T, book []byte, name string) []byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := z.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
