package report

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// FileKind is what a file handed to dspt-audit is, as far as its bytes
// tell. Every command that reads a file of one kind names the kind it got
// instead, with what to do with it, rather than a decoder's complaint.
type FileKind int

const (
	// OtherJSON is valid JSON that is none of dspt-audit's files.
	OtherJSON FileKind = iota
	// BrokenJSON starts as JSON but does not parse (cut short, edited):
	// the reader of the expected kind says what is wrong.
	BrokenJSON
	ScanResult // a JSON report from 'scan --format json' or 'schedule run'
	Snapshot   // from 'collect'
	Rollup     // from 'fleet --format json'
	TrustStore // fleet's pinned keys
	DataFile   // reference data, as 'data import' writes it
	OCSFEvents // one JSON object per line, from '--format ocsf'
	EmptyFile
	WordDocument
	Workbook
	ZipArchive
	OldOfficeDocument
	PDFDocument
	RichText
	WebPage
	GzipFile
	BinaryFile
	TextFile
	DiffFile    // from 'diff --format json'
	TrendFile   // from 'fleet --trend --format json'
	HistoryFile // a compact history, HOST.history.jsonl: a record per line
	// JSONValue is JSON that holds no object or list: null, a number, a
	// string, true or false.
	JSONValue
)

// RollupKind, TrustStoreKind and TrendKind are the "kind" values fleet
// writes (fleet.Kind, fleet.TrustKind, fleet.TrendKind).
const (
	RollupKind     = "dspt-audit fleet roll-up"
	TrustStoreKind = "dspt-audit trust store"
	TrendKind      = "dspt-audit fleet trend"
)

var fileKindText = map[FileKind]string{
	OtherJSON:         "another program's JSON file",
	BrokenJSON:        "JSON that does not parse",
	ScanResult:        "a scan result (a JSON report from 'dspt-audit scan')",
	Snapshot:          "a snapshot from 'dspt-audit collect'",
	Rollup:            "a roll-up from 'dspt-audit fleet'",
	TrustStore:        "fleet's trust store",
	DataFile:          "a reference data file",
	OCSFEvents:        "OCSF events (one JSON object per line, from --format ocsf)",
	EmptyFile:         "an empty file",
	WordDocument:      "a Word document",
	Workbook:          "an Excel workbook",
	ZipArchive:        "a zip archive",
	OldOfficeDocument: "an Office document in the old binary format (.doc, .xls)",
	PDFDocument:       "a PDF document",
	RichText:          "a Rich Text (RTF) document",
	WebPage:           "a web page",
	GzipFile:          "a gzip-compressed file",
	BinaryFile:        "a binary file (not JSON)",
	TextFile:          "a text file (not JSON)",
	DiffFile:          "a diff from 'dspt-audit diff'",
	TrendFile:         "a trend from 'dspt-audit fleet --trend'",
	HistoryFile:       "a compact history file (a line per nightly run)",
	JSONValue:         "JSON holding no object (null, a number, a string or true/false)",
}

// String names the kind as a sentence says it: "a Word document".
func (k FileKind) String() string { return fileKindText[k] }

// Use says what to do with a file of this kind, or "".
func (k FileKind) Use() string {
	switch k {
	case ScanResult:
		return "render it in another format with 'dspt-audit report convert FILE', or roll it up with 'dspt-audit fleet'"
	case Snapshot:
		return "judge it with 'dspt-audit scan --from FILE'"
	case Rollup:
		return "a roll-up is rendered by 'dspt-audit fleet' itself: run it again with --format or -o"
	case DataFile:
		return "give it to a scan with --data FILE"
	case WordDocument, Workbook, PDFDocument, WebPage, OCSFEvents:
		return "it is a rendered report: give the JSON one ('scan --format json' writes it)"
	}
	return ""
}

// IdentifyFile says what b is. It reads only what it must: the first bytes,
// and the top-level keys of JSON.
func IdentifyFile(b []byte) FileKind {
	if k, ok := identifyBytes(b); ok {
		return k
	}
	text, err := standards.UTF8Text(b)
	if err != nil {
		return BinaryFile
	}
	trimmed := bytes.TrimSpace(text)
	if len(trimmed) == 0 {
		return EmptyFile
	}
	if standards.LooksLikeHTML(trimmed) {
		return WebPage
	}
	if trimmed[0] != '{' && trimmed[0] != '[' {
		if json.Valid(trimmed) {
			return JSONValue
		}
		if bytes.IndexByte(trimmed, 0) >= 0 {
			return BinaryFile
		}
		return TextFile
	}
	if !json.Valid(trimmed) {
		if ocsfLines(trimmed) {
			return OCSFEvents
		}
		if first, _, _ := bytes.Cut(trimmed, []byte("\n")); isHistoryRecord(first) {
			return HistoryFile
		}
		return BrokenJSON
	}
	return identifyJSON(trimmed)
}

// identifyBytes tells the formats with a signature in their first bytes.
func identifyBytes(b []byte) (FileKind, bool) {
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		switch {
		case bytes.Contains(b, []byte("word/")):
			return WordDocument, true
		case bytes.Contains(b, []byte("xl/")):
			return Workbook, true
		}
		return ZipArchive, true
	case bytes.HasPrefix(b, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return OldOfficeDocument, true
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return PDFDocument, true
	case bytes.HasPrefix(b, []byte(`{\rtf`)):
		return RichText, true
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return GzipFile, true
	}
	return 0, false
}

// identifyJSON tells dspt-audit's JSON files apart by their top-level keys.
func identifyJSON(b []byte) FileKind {
	var top struct {
		Tool        json.RawMessage `json:"tool"`
		Kind        json.RawMessage `json:"kind"`
		CollectedAt json.RawMessage `json:"collected_at"`
		AsOf        json.RawMessage `json:"as_of"`
		ClassUID    json.RawMessage `json:"class_uid"`
		DiffVersion json.RawMessage `json:"diff_schema_version"`
	}
	if b[0] != '{' || json.Unmarshal(b, &top) != nil {
		return OtherJSON
	}
	var toolName, kind string
	var tool struct{ Name string }
	json.Unmarshal(top.Kind, &kind)
	switch {
	case json.Unmarshal(top.Tool, &toolName) == nil && strings.HasPrefix(toolName, "dspt-audit") && top.CollectedAt != nil:
		return Snapshot
	case kind == RollupKind:
		return Rollup
	case kind == TrustStoreKind:
		return TrustStore
	case kind == TrendKind:
		return TrendFile
	case top.DiffVersion != nil:
		return DiffFile
	case isHistoryRecord(b):
		return HistoryFile
	case json.Unmarshal(top.Tool, &tool) == nil && tool.Name == "dspt-audit":
		return ScanResult
	case kind != "" && top.AsOf != nil:
		return DataFile
	case top.ClassUID != nil:
		return OCSFEvents
	}
	return OtherJSON
}

// isHistoryRecord says whether b is a compact history record (package
// history): an object with its version, time, checks and result hash.
func isHistoryRecord(b []byte) bool {
	var rec struct {
		V            json.RawMessage `json:"v"`
		ScannedAt    json.RawMessage `json:"scanned_at"`
		Checks       json.RawMessage `json:"checks"`
		ResultSHA256 json.RawMessage `json:"result_sha256"`
	}
	return json.Unmarshal(b, &rec) == nil && rec.V != nil && rec.ScannedAt != nil && rec.Checks != nil && rec.ResultSHA256 != nil
}

// ocsfLines says whether b is JSON lines whose first object is an OCSF
// event.
func ocsfLines(b []byte) bool {
	first, _, _ := bytes.Cut(b, []byte("\n"))
	var event struct {
		ClassUID json.RawMessage `json:"class_uid"`
	}
	return json.Unmarshal(first, &event) == nil && event.ClassUID != nil
}
