package fleet

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// Register is the Digital Asset Register (DSPT 7.1.1) of the hosts a
// roll-up counted: one row per device from its newest result, the software
// across them, and the practice file's non-PC assets.
type Register struct {
	GeneratedAt time.Time
	Tool        report.Tool
	Practice    string // the practice's name, when a practice file was given
	ResultsRead int
	Devices     []Device
	Software    []SoftwareRow
	Assets      []standards.Asset
	// Skipped are newest results that could not be read again.
	Skipped []Skipped
}

// Device is one register row.
type Device struct {
	Name, OS string
	LastSeen time.Time
	Stale    bool
	Support  string // the os-supported verdict, in words
	// SupportDetail is that verdict's summary: which release, and when its
	// support ends or ended.
	SupportDetail string
	Encryption    string // the disk-encrypted verdict, in words
	Location      string // from the practice file's host notes
	Owner         string
	Notes         string
	Facts         checks.AssetFacts // without its software list
	Programs      int               // installed programs or packages; -1 when unread
}

// SoftwareRow is one product and version across the devices.
type SoftwareRow struct {
	Name, Version, Publisher string
	Devices                  int
	Support                  string // "supported until …", "unsupported since …" or "" when the data does not know it
}

// maxSoftwareRows bounds the software sheet: beyond it, rows are not added.
const maxSoftwareRows = 50_000

// BuildRegister reads each host's newest result again (checked to be the
// bytes the roll-up counted, as OCSF does) for its asset facts. p may be nil;
// eol is the end-of-life data the software rows are judged by.
func BuildRegister(r *Rollup, p *standards.Practice, eol []standards.EOLProduct) *Register {
	reg := &Register{GeneratedAt: r.GeneratedAt, Tool: r.Tool, ResultsRead: r.ResultsRead}
	notes := map[string]standards.HostNote{}
	if p != nil {
		reg.Practice, reg.Assets = p.Name, p.Assets
		for _, n := range p.Hosts {
			notes[strings.ToLower(strings.TrimSpace(n.Host))] = n
		}
	}
	recordLastUser := p != nil && p.RecordLastUser
	rd := reader{ndg: r.ndg, now: r.GeneratedAt}
	software := map[[3]string]*SoftwareRow{}
	for i, dev := range inOrder(context.Background(), len(r.Hosts), 0, func(i int) deviceRead { return rd.device(r.Hosts[i]) }) {
		h := r.Hosts[i]
		if dev.skip != "" {
			reg.Skipped = append(reg.Skipped, Skipped{h.File, dev.skip})
			continue
		}
		d := dev.device
		d.Stale = h.Stale
		if !recordLastUser {
			d.Facts.LastUser = nil // a result may hold it; the practice has not asked to keep it
		}
		if n, ok := notes[strings.ToLower(h.Name)]; ok {
			d.Location, d.Owner, d.Notes = n.Location, n.Owner, n.Notes
		}
		reg.Devices = append(reg.Devices, d)
		for _, prog := range dev.software {
			// Keyed by publisher too, so no host's text describes a product another host reported.
			key := [3]string{prog.Name, prog.Version, prog.Publisher}
			row, ok := software[key]
			if !ok && len(software) < maxSoftwareRows {
				row = &SoftwareRow{Name: prog.Name, Version: prog.Version, Publisher: prog.Publisher, Support: softwareSupport(eol, prog, r.GeneratedAt)}
				software[key] = row
			}
			if row != nil {
				row.Devices++
			}
		}
	}
	slices.SortFunc(reg.Devices, func(a, b Device) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	for _, row := range software {
		reg.Software = append(reg.Software, *row)
	}
	slices.SortFunc(reg.Software, func(a, b SoftwareRow) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.Version, b.Version), cmp.Compare(a.Publisher, b.Publisher))
	})
	return reg
}

type deviceRead struct {
	device   Device
	software []checks.Program
	skip     string
}

// device reads one host's newest result again. Each result yields only its
// own row: nothing in it can name or change another host's.
func (rd reader) device(h *Host) deviceRead {
	b, reason := readBounded(h.File)
	if reason != "" || sha256.Sum256(b) != h.digest {
		return deviceRead{skip: "read again for the asset register, it had changed since the roll-up read it" + parenthesised(reason) + ": its row is left out; roll up again"}
	}
	view, err := decodeRegisterView(b)
	if err != nil {
		return deviceRead{skip: "read again for the asset register, it no longer decodes: " + err.Error()}
	}
	d := Device{Name: h.Name, OS: h.OS, LastSeen: h.ScannedAt, Programs: -1}
	d.Support = view.verdictWords("os-supported", "supported", "supported, ending soon", "NOT supported")
	d.SupportDetail = cleanLong(view.summary("os-supported"))
	d.Encryption = view.verdictWords("disk-encrypted", "encrypted", "warning", "NOT encrypted")
	if view.Asset == nil {
		d.Facts = notRecorded()
		return deviceRead{device: d}
	}
	d.Facts = cleanFacts(*view.Asset)
	if view.Asset.SoftwareUnread == nil {
		d.Programs = len(view.Asset.Software)
	}
	software := make([]checks.Program, 0, min(len(view.Asset.Software), maxProgramsPerDevice))
	seen := map[checks.Program]bool{}
	for _, prog := range view.Asset.Software[:min(len(view.Asset.Software), maxProgramsPerDevice)] {
		prog = checks.Program{Name: clean(prog.Name), Version: clean(prog.Version), Publisher: clean(prog.Publisher)}
		if prog.Name != "" && !seen[prog] {
			seen[prog] = true
			software = append(software, prog)
		}
	}
	return deviceRead{device: d, software: software}
}

// A result's facts are untrusted text: each is bounded and made harmless
// for a terminal, a log or a spreadsheet before the register holds it. The
// register has no JSON behind it, so text over its bound is cut with a
// plain "…".
const (
	maxRegisterText      = 200
	maxRegisterLongText  = 1000 // a check's summary: which release, and when its support ends
	maxProgramsPerDevice = 10_000
)

func clean(s string) string {
	return report.Truncate(report.Sanitize(strings.TrimSpace(s)), maxRegisterText)
}

func cleanLong(s string) string {
	return report.Truncate(report.Sanitize(strings.TrimSpace(s)), maxRegisterLongText)
}

func cleanFact(f checks.Fact) checks.Fact {
	if f.Unread != nil {
		return checks.Fact{Unread: &probe.Error{Class: probe.ErrorClass(clean(string(f.Unread.Class))), Detail: clean(f.Unread.Detail)}}
	}
	if v := clean(f.Value); v != "" {
		return checks.Fact{Value: v}
	}
	return checks.Fact{Unread: probe.Errorf(probe.NotFound, "no value")}
}

func cleanFacts(a checks.AssetFacts) checks.AssetFacts {
	out := checks.AssetFacts{
		Manufacturer: cleanFact(a.Manufacturer), Model: cleanFact(a.Model), Serial: cleanFact(a.Serial),
		BIOSVersion: cleanFact(a.BIOSVersion), BIOSDate: cleanFact(a.BIOSDate), CPU: cleanFact(a.CPU),
		Memory: cleanFact(a.Memory), Disks: cleanFact(a.Disks), Chassis: cleanFact(a.Chassis), TPM: cleanFact(a.TPM),
	}
	if a.LastUser != nil {
		f := cleanFact(*a.LastUser)
		out.LastUser = &f
	}
	return out
}

// notRecorded is the facts of a result written before the register existed.
func notRecorded() checks.AssetFacts {
	f := checks.Fact{Unread: probe.Errorf(probe.NotRecorded, "the result was written before scans recorded asset facts")}
	return checks.AssetFacts{Manufacturer: f, Model: f, Serial: f, BIOSVersion: f, BIOSDate: f, CPU: f, Memory: f, Disks: f, Chassis: f, TPM: f}
}

// registerView is the part of a result the register reads. It decodes
// only the bytes whose digest matches those the roll-up decoded strictly
// (report.Unmarshal refuses duplicate and case-folded keys), so reading
// less of them here cannot read them differently.
type registerView struct {
	Results []struct {
		ID      string           `json:"id"`
		Status  standards.Status `json:"status"`
		Summary string           `json:"summary"`
	} `json:"results"`
	Asset *checks.AssetFacts `json:"asset"`
}

func decodeRegisterView(b []byte) (*registerView, error) {
	b, err := standards.UTF8Text(b)
	if err != nil {
		return nil, err
	}
	var v registerView
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

func (v *registerView) summary(id string) string {
	for _, c := range v.Results {
		if c.ID == id {
			return c.Summary
		}
	}
	return ""
}

// verdictWords says what a check's verdict means for the register.
func (v *registerView) verdictWords(id, pass, warn, fail string) string {
	for _, c := range v.Results {
		if c.ID != id {
			continue
		}
		switch c.Status {
		case standards.Pass:
			return pass
		case standards.Warn:
			return warn
		case standards.Fail:
			return fail
		case standards.NotApplicable:
			return "not applicable"
		case standards.NeedsAdmin:
			return "could not tell (needs admin rights)"
		}
		return "could not tell"
	}
	return "not checked"
}

func softwareSupport(eol []standards.EOLProduct, p checks.Program, now time.Time) string {
	for i := range eol {
		e := &eol[i]
		if !e.Matches(p.Name, p.Version) {
			continue
		}
		if standards.DayOf(now).After(e.Ended.Time) {
			return "unsupported since " + e.Ended.String() + " (" + e.Product + ")"
		}
		return "supported until " + e.Ended.String() + " (" + e.Product + ")"
	}
	return ""
}

// FactText is a fact as the register shows it: its value, or why it could
// not be read, in words.
func FactText(f checks.Fact) string {
	if f.Unread == nil {
		return f.Value
	}
	if why, ok := unreadWords[f.Unread.Class]; ok {
		return "could not read (" + why + ")"
	}
	return "could not read"
}

// unreadWords says why a fact could not be read, for each probe error
// class; a class not listed (a newer one, or a result's made-up text) is
// not shown.
var unreadWords = map[probe.ErrorClass]string{
	probe.NotFound:        "the PC did not report it",
	probe.AccessDenied:    "needs admin rights",
	probe.MissingClass:    "this system has no source for it",
	probe.Timeout:         "the PC took too long to answer",
	probe.NotRecorded:     "not recorded by this scan",
	probe.ServiceDisabled: "the service that reports it is disabled",
	probe.Untrusted:       "the program that reports it could not be trusted",
}

// registerHeader is the register's columns, in order, and
// registerWidths their widths on the Register sheet: wide enough that
// "could not read (needs admin rights)" wraps to three lines at most, and
// summing to a printed page at printScale in three groups.
var (
	registerHeader = []string{"Device", "Manufacturer", "Model", "Serial number", "Chassis", "CPU", "Memory", "Disks", "TPM",
		"Disk encryption", "BIOS version", "BIOS date", "OS / build", "OS support", "OS support detail", "Programs", "Last seen (UTC)", "Stale",
		"Location", "Owner", "Notes", "Last user"}
	registerWidths = []float64{18, 15, 20, 16, 13, 22, 10, 22, // the first printed page
		14, 13, 13, 11, 22, 12, 33, // the second, after the device again
		10, 16, 7, 18, 18, 26, 18} // the third
)

// titleWidth is the width of the Register sheet's title, columns B to H.
var titleWidth = func() (w float64) {
	for _, c := range registerWidths[1:8] {
		w += c
	}
	return w
}()

func (d Device) cells() []any {
	f := d.Facts
	programs := any(d.Programs)
	if d.Programs < 0 {
		programs = "could not read"
	}
	lastUser := "not recorded"
	if f.LastUser != nil {
		lastUser = FactText(*f.LastUser)
	}
	cells := []any{d.Name, FactText(f.Manufacturer), FactText(f.Model), FactText(f.Serial), FactText(f.Chassis), FactText(f.CPU),
		FactText(f.Memory), FactText(f.Disks), FactText(f.TPM), d.Encryption, FactText(f.BIOSVersion), FactText(f.BIOSDate),
		d.OS, d.Support, d.SupportDetail, programs, d.LastSeen.UTC().Truncate(time.Minute), yes(d.Stale), d.Location, d.Owner, d.Notes, lastUser}
	for i, c := range cells {
		if s, ok := c.(string); ok {
			// Within ShownLimit, so no view adds a pointer to a JSON report the register does not have.
			cells[i] = report.Truncate(s, report.ShownLimit)
		}
	}
	return cells
}

// Headline says when the register was made and from what: the evidence
// line DSPT 7.1.1 asks of an up-to-date register.
func (reg *Register) Headline() string {
	s := fmt.Sprintf("Generated %s by %s %s from %d scan results (the newest of each of %d devices)",
		reg.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"), reg.Tool.Name, reg.Tool.Version, reg.ResultsRead, len(reg.Devices))
	if reg.Practice != "" {
		s += " for " + reg.Practice
	}
	return s + "."
}

// RegisterCSV writes the device rows (RFC 4180), each ending with when the
// register was generated and from how many results.
func RegisterCSV(w io.Writer, reg *Register) error {
	cw := csv.NewWriter(w)
	cw.Write(append(append([]string(nil), registerHeader...), "Register generated (UTC)", "Results read"))
	for _, d := range reg.Devices {
		var row []string
		for _, c := range d.cells() {
			row = append(row, csvText(c))
		}
		cw.Write(append(row, reg.GeneratedAt.UTC().Format(time.RFC3339), strconv.Itoa(reg.ResultsRead)))
	}
	cw.Flush()
	return cw.Error()
}

func csvText(v any) string {
	switch v := v.(type) {
	case string:
		return report.CellText(report.Shown(v))
	case time.Time:
		return v.Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}

// Sheet names of the register.
const (
	sheetRegister = "Register"
	sheetSoftware = "Software"
	sheetAssets   = "Other assets"
)

// RegisterXLSX writes the register as its own workbook: Register,
// Software and Other assets sheets.
func RegisterXLSX(w io.Writer, reg *Register) error {
	if len(reg.Devices) > maxSheetRows-3 || len(reg.Software) > maxSheetRows {
		return fmt.Errorf("%d devices do not fit in a worksheet: write the register as .csv instead", len(reg.Devices))
	}
	f := excelize.NewFile()
	defer f.Close()
	styles, err := report.NewSheetStyles(f)
	if err != nil {
		return fmt.Errorf("building the register: %w", err)
	}
	yyyymmdd := "yyyy-mm-dd hh:mm"
	day, err := f.NewStyle(&excelize.Style{CustomNumFmt: &yyyymmdd, Alignment: &excelize.Alignment{Vertical: "top"}})
	b := &book{SheetStyles: styles, f: f, r: &Rollup{GeneratedAt: reg.GeneratedAt}, day: day, heading: "Digital asset register", err: err}
	b.registerSheets(reg, "Sheet1")
	b.check(f.SetDocProps(&excelize.DocProperties{
		Title: "Digital asset register", Subject: "DSPT 7.1.1 evidence", Creator: reg.Tool.Name + " " + reg.Tool.Version,
		Description: reg.Headline(), Created: reg.GeneratedAt.UTC().Format(time.RFC3339), Category: "Audit",
	}))
	if b.err != nil {
		return fmt.Errorf("building the register: %w", b.err)
	}
	_, err = f.WriteTo(w)
	return err
}

// registerSheets adds the register's three sheets, streamed; rename, when
// set, is a sheet to rename into the first of them.
func (b *book) registerSheets(reg *Register, rename string) {
	if rename != "" {
		b.check(b.f.SetSheetName(rename, sheetRegister))
	} else {
		_, err := b.f.NewSheet(sheetRegister)
		b.check(err)
	}
	const top = 4 // the table's header row, below the title and the headline
	b.printable(sheetRegister)
	b.printAcross(sheetRegister, top)
	sw, err := b.f.NewStreamWriter(sheetRegister)
	if err != nil {
		b.check(err)
		return
	}
	headerLines := 2
	for i, w := range registerWidths {
		b.check(sw.SetColWidth(i+1, i+1, w))
		headerLines = max(headerLines, wrappedLines(registerHeader[i], w))
	}
	b.check(sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: top, TopLeftCell: fmt.Sprintf("A%d", top+1), ActivePane: "bottomLeft"}))
	// The title and headline start in column B, merged across the first
	// printed page's columns: the pages that repeat the device column would
	// print them cut off at its width.
	b.check(sw.SetRow("B1", []any{b.cell("Digital asset register (DSPT 7.1.1)", b.Title)}))
	headline := reg.Headline()
	b.check(sw.SetRow("B2", []any{b.cell(headline, b.Wrap)}, excelize.RowOpts{Height: report.RowHeight(wrappedLines(headline, titleWidth))}))
	b.check(sw.MergeCell("B1", "H1"))
	b.check(sw.MergeCell("B2", "H2"))
	header := make([]any, len(registerHeader))
	for i, h := range registerHeader {
		header[i] = excelize.Cell{Value: h, StyleID: b.Header}
	}
	b.check(sw.SetRow(fmt.Sprintf("A%d", top), header, excelize.RowOpts{Height: report.RowHeight(headerLines)}))
	for i, d := range reg.Devices {
		row := d.cells()
		lines := 1
		for j, v := range row {
			style := b.Wrap
			switch v := v.(type) {
			case time.Time:
				style = b.day
			case string:
				lines = max(lines, wrappedLines(v, registerWidths[j]))
			}
			row[j] = b.cell(v, style)
		}
		b.check(sw.SetRow(fmt.Sprintf("A%d", top+1+i), row, excelize.RowOpts{Height: report.RowHeight(lines)}))
	}
	last, _ := excelize.CoordinatesToCellName(len(registerHeader), top+max(len(reg.Devices), 1))
	b.check(sw.AddTable(&excelize.Table{Range: fmt.Sprintf("A%d:%s", top, last), Name: "Register", StyleName: "TableStyleLight1", ShowRowStripes: boolPtr(false)}))
	b.check(sw.Flush())
	b.softwareSheet(reg)
	b.assetsSheet(reg)
}

// The widths of the Software and Other assets sheets: each fits one
// printed page across at printScale.
var (
	softwareWidths = []float64{38, 20, 24, 8, 40}
	assetsWidths   = []float64{28, 16, 22, 20, 44}
)

func (b *book) softwareSheet(reg *Register) {
	sw := b.streamAcross(sheetSoftware, []string{"Product", "Version", "Publisher", "Devices", "Support (end-of-life data)"}, softwareWidths)
	if sw == nil {
		return
	}
	for i, s := range reg.Software {
		support := cmp.Or(s.Support, "not in the end-of-life data")
		b.wrappedRow(sw, i+2, softwareWidths, s.Name, s.Version, s.Publisher, s.Devices, support)
	}
	b.finish(sw, "Software", 5, len(reg.Software))
}

func (b *book) assetsSheet(reg *Register) {
	sw := b.streamAcross(sheetAssets, []string{"Name", "Kind", "Location", "Owner", "Notes"}, assetsWidths)
	if sw == nil {
		return
	}
	for i, a := range reg.Assets {
		b.wrappedRow(sw, i+2, assetsWidths, a.Name, a.Kind, a.Location, a.Owner, a.Notes)
	}
	b.finish(sw, "OtherAssets", 5, len(reg.Assets))
}

// wrappedRow streams a row of values whose text wraps in columns of the
// widths, as tall as its longest text.
func (b *book) wrappedRow(sw *excelize.StreamWriter, row int, widths []float64, values ...any) {
	cells := make([]any, len(values))
	lines := 1
	for i, v := range values {
		cells[i] = b.cell(v, b.Number)
		if s, ok := v.(string); ok {
			s = report.Truncate(s, report.ShownLimit)
			cells[i] = b.cell(s, b.Wrap)
			lines = max(lines, wrappedLines(s, widths[i]))
		}
	}
	cell, _ := excelize.CoordinatesToCellName(1, row)
	b.check(sw.SetRow(cell, cells, excelize.RowOpts{Height: report.RowHeight(lines)}))
}
