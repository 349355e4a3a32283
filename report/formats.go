package report

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// Format is a file format a T (a report, a roll-up) can be written in.
// The terminal view is not one: it needs to know the terminal.
type Format[T any] struct {
	Name   string
	Exts   []string // file extensions that mean this format, first preferred
	Binary bool     // not for a terminal
	Doc    string
	Write  func(w io.Writer, v T) error
}

// Formats lists the report's file formats, in the order help texts show them.
func Formats() []Format[*Report] {
	return []Format[*Report]{
		{Name: "json", Exts: []string{".json"}, Doc: "the JSON report (the stable contract)", Write: func(w io.Writer, r *Report) error { return JSON(w, r) }},
		{Name: "xlsx", Exts: []string{".xlsx"}, Binary: true, Doc: "Excel workbook: Summary with chart, Findings, Evidence, DSPT", Write: XLSX},
		{Name: "html", Exts: []string{".html", ".htm"}, Doc: "one self-contained, printable page", Write: HTML},
		{Name: "csv", Exts: []string{".csv"}, Doc: "the Findings table, RFC 4180", Write: CSV},
		{Name: "ocsf", Exts: []string{".ndjson", ".jsonl"}, Doc: "OCSF Compliance Finding events, one JSON object per line, for a SIEM", Write: OCSF},
	}
}

// LookupFormat finds a format by name.
func LookupFormat[T any](formats []Format[T], name string) (Format[T], bool) {
	i := slices.IndexFunc(formats, func(f Format[T]) bool { return f.Name == name })
	if i < 0 {
		return Format[T]{}, false
	}
	return formats[i], true
}

// FormatForPath guesses the format a file name asks for by its extension.
func FormatForPath[T any](formats []Format[T], path string) (Format[T], bool) {
	ext := strings.ToLower(filepath.Ext(path))
	i := slices.IndexFunc(formats, func(f Format[T]) bool { return slices.Contains(f.Exts, ext) })
	if i < 0 {
		return Format[T]{}, false
	}
	return formats[i], true
}

// attentionOrder lists what a reader must act on first.
var attentionOrder = map[standards.Status]int{
	standards.Fail: 0, standards.NeedsAdmin: 1, standards.Unknown: 2, standards.Warn: 3,
	standards.Pass: 4, standards.NotApplicable: 5,
}

// ByAttention returns the results with what needs acting on first: failures,
// then what could not be read, then warnings and passes; most severe first
// within each.
func (r *Report) ByAttention() []CheckResult {
	results := slices.Clone(r.Results)
	slices.SortStableFunc(results, func(a, b CheckResult) int {
		return cmp.Or(cmp.Compare(attentionOrder[a.Status], attentionOrder[b.Status]), cmp.Compare(b.Severity, a.Severity))
	})
	return results
}

// NotAssessedNote names the standards nothing evidences, or is empty when
// there are none.
func (r *Report) NotAssessedNote() string {
	var paper, unread, unselected []string
	for _, s := range r.Standards {
		switch {
		case s.Outcome != standards.NotAssessed:
		case len(s.Checks) > 0:
			unread = append(unread, fmt.Sprint(s.Number))
		case s.MachineEvidence:
			unselected = append(unselected, fmt.Sprint(s.Number))
		default:
			paper = append(paper, fmt.Sprint(s.Number))
		}
	}
	var notes []string
	if len(paper) > 0 {
		where := "answer them in the DSPT directly, or in a practice file (dspt-audit practice init)"
		if r.Practice != nil && r.Practice.Used {
			where = "no answer in the practice file counts for them yet (unanswered or past review): dspt-audit practice answer"
		}
		notes = append(notes, fmt.Sprintf("Standards %s: not assessed by this tool (no machine check evidences them; %s).", strings.Join(paper, ", "), where))
	}
	if len(unread) > 0 {
		notes = append(notes, fmt.Sprintf("Standards %s: not assessed in this scan (none of their checks could be determined).", strings.Join(unread, ", ")))
	}
	if len(unselected) > 0 {
		notes = append(notes, fmt.Sprintf("Standards %s: not assessed in this scan (none of their checks ran or applied here).", strings.Join(unselected, ", ")))
	}
	return strings.Join(notes, " ")
}

// MaxSize is the largest JSON report read. A scan writes tens of
// kilobytes; a file many times that is not a report, and reading it whole
// could exhaust memory.
const MaxSize = 4 << 20

// Read reads a JSON report written by scan, for rendering it again in
// another format. Fields added by a newer version of the same schema are
// ignored; another schema version, a file that is not a report, one larger
// than MaxSize, or one with a repeated or wrongly cased key is an error.
// The file's derived figures are taken as written: Recount judges them
// again.
func Read(r io.Reader) (*Report, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("larger than %s, the most a report is read to", SizeText(MaxSize))
	}
	return Decode(b)
}

// Decode reads a JSON report's bytes as Read does.
func Decode(b []byte) (*Report, error) {
	b, err := standards.UTF8Text(b)
	if err != nil {
		return nil, fmt.Errorf("not a JSON report: %v", err)
	}
	var rep Report
	err = json.Unmarshal(b, &rep)
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return nil, fmt.Errorf("not a JSON report: %v", err)
	case rep.Tool.Name != "dspt-audit" || rep.Results == nil && !hasKey(b, "results"):
		return nil, fmt.Errorf("not a dspt-audit report (a snapshot from 'collect' is judged with 'scan --from')")
	case rep.SchemaVersion != SchemaVersion:
		return nil, fmt.Errorf("report schema version %v is not %d, the version this build reads", schemaText(b), SchemaVersion)
	case err != nil:
		return nil, fmt.Errorf("report does not decode: %v", err)
	}
	if err := checkKeys(b, reflect.TypeFor[*Report]()); err != nil {
		return nil, fmt.Errorf("report does not decode: %v", err)
	}
	return &rep, nil
}

// hasKey says whether the top-level object has the key (a null value
// decodes as if it were missing).
func hasKey(b []byte, key string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return false
	}
	_, ok := m[key]
	return ok
}

func schemaText(b []byte) any {
	var head struct {
		SchemaVersion *int `json:"schema_version"`
	}
	json.Unmarshal(b, &head)
	return deref(head.SchemaVersion)
}

// SizeText says a size in bytes as MB or KB.
func SizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}

func deref(p *int) any {
	if p == nil {
		return "(none)"
	}
	return *p
}

// CellText makes text safe for a spreadsheet cell or a CSV field. Text that
// starts with =, +, -, @, a tab or a carriage return is read as a formula by
// Excel and LibreOffice (CSV/formula injection, OWASP); a leading apostrophe
// makes it plain text. Every value a machine controls (host names, program
// names, registry values) goes through here.
//
// In a workbook the value is already a text cell, which Excel does not
// evaluate on opening, yet the apostrophe stays, visible: a person who
// edits the cell (F2, Enter) or saves the sheet as CSV turns unprotected
// text into a live formula, and the apostrophe survives both. Excel's own
// hidden quote prefix (a cell style's quotePrefix) would look better, but
// excelize's style API cannot set it.
func CellText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
