// Package history keeps a compact history of one PC's scans: one small
// record per run (when, which machine, which tool and data, the outcome,
// each standard's and each check's verdict, and the hash of the full
// result), a line of JSON each, about a year of them in one file. The full
// results stay elsewhere (the last few, for 'diff'); the trend of a
// practice is read from these records.
//
// A history file lives in a share every PC can write: it is read bounded,
// a line that does not decode is skipped and counted, never fatal, and
// nothing a record claims that can be recomputed (outcomes, scores) is
// believed by the readers that judge.
package history

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// Version is the record's version, written as "v". A reader skips (and
// counts) records of a version it does not know.
const Version = 1

// The bounds of a history file. A run writes about 2 KB, so KeepDays of
// daily runs is under 1 MB; MaxRecords allows a few runs a day.
const (
	KeepDays    = 400
	MaxRecords  = 2000
	MaxLineSize = 64 << 10
	MaxFileSize = 8 << 20
)

// Suffix ends a history file's name: history/HOST.history.jsonl.
const Suffix = ".history.jsonl"

// Record is one run of one machine, in brief.
type Record struct {
	V         int       `json:"v"`
	ScannedAt time.Time `json:"scanned_at"`
	HostID    string    `json:"host_id"`
	HostName  string    `json:"host"`
	Tool      string    `json:"tool"`
	// DataAsOf is the newest as_of of the reference data the run used.
	DataAsOf string            `json:"data_as_of,omitempty"`
	Outcome  standards.Outcome `json:"outcome"`
	Score    *int              `json:"score"`
	// Standards are each NDG standard's outcome from the machine's checks
	// (the practice file's answers are the practice's, not the machine's).
	Standards []Standard `json:"standards"`
	// Checks are the verdicts by check ID.
	Checks map[string]standards.Status `json:"checks"`
	// ResultSHA256 is the hash of the full result file the run wrote: it
	// identifies the run, so a full copy of it is not counted twice.
	ResultSHA256 string `json:"result_sha256"`
	// Sig is the Ed25519 signature (base64) by the machine's own key, the
	// key that signs its results, over the record's JSON without Sig as
	// json.Marshal writes it (SignedBytes). A reader that judges trusts a
	// record only when Sig verifies with the key pinned for the host it
	// claims; a record whose JSON does not marshal back to the same bytes
	// fails, which is safe.
	Sig string `json:"sig,omitempty"`
}

// Standard is one NDG standard's outcome and score in a run.
type Standard struct {
	Number  int               `json:"n"`
	Outcome standards.Outcome `json:"outcome"`
	Score   *int              `json:"score"`
}

// FromReport is the record of a result whose file's bytes hash to
// resultSHA256 (hex).
func FromReport(rep *report.Report, resultSHA256 string) Record {
	rec := Record{
		V: Version, ScannedAt: rep.ScannedAt.UTC(), HostID: rep.Host.ID, HostName: rep.Host.Name,
		Tool: rep.Tool.Version, Outcome: rep.Outcome, Score: rep.Score,
		Checks: make(map[string]standards.Status, len(rep.Results)), ResultSHA256: resultSHA256,
	}
	for _, p := range rep.Data {
		if d := p.AsOf.Format(time.DateOnly); !p.AsOf.IsZero() && d > rec.DataAsOf {
			rec.DataAsOf = d
		}
	}
	for _, s := range rep.Standards {
		rec.Standards = append(rec.Standards, Standard{Number: s.Number, Outcome: cmp.Or(s.MachineOutcome, s.Outcome), Score: s.Score})
	}
	for _, r := range rep.Results {
		rec.Checks[r.ID] = r.Status
	}
	return rec
}

// SignedBytes are the bytes Sig covers: the record without Sig, as
// json.Marshal writes it (fields in order, map keys sorted).
func (r Record) SignedBytes() ([]byte, error) {
	r.Sig = ""
	return json.Marshal(r)
}

// Sign sets r.Sig with the machine's key.
func (r *Record) Sign(key ed25519.PrivateKey) error {
	b, err := r.SignedBytes()
	if err != nil {
		return err
	}
	r.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(key, b))
	return nil
}

// ErrUnsigned is Verify's answer for a record without a signature.
var ErrUnsigned = errors.New("unsigned")

// Verify says why r was not signed with pub, or nil when it was.
func (r Record) Verify(pub ed25519.PublicKey) error {
	if r.Sig == "" {
		return ErrUnsigned
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(r.Sig)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return errors.New("the signature is not an Ed25519 signature")
	}
	b, err := r.SignedBytes()
	if err != nil || len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, b, sig) {
		return errors.New("the signature does not match the record: altered after signing, or signed by another key")
	}
	return nil
}

// Stats say what reading a history file left out.
type Stats struct {
	Records int
	// Corrupt counts lines that are not a record: cut short, too long, not
	// JSON, fields missing or of the wrong kind, an unknown version.
	Corrupt int
	// TooLarge is set when the file is larger than MaxFileSize: only its
	// first MaxFileSize bytes are read.
	TooLarge bool
}

// Read reads a history file's records, in file order. A line that is not
// a valid record is skipped and counted; only a failing reader is an error.
// At most MaxFileSize bytes are read.
func Read(r io.Reader) ([]Record, Stats, error) {
	var st Stats
	limited := &io.LimitedReader{R: r, N: MaxFileSize + 1}
	br := bufio.NewReaderSize(limited, 64<<10)
	var recs []Record
	for {
		line, tooLong, err := readLine(br)
		if errors.Is(err, io.EOF) && limited.N == 0 {
			// The limit cut this line: it is not a record.
			st.TooLarge, tooLong = true, true
		}
		if len(line) > 0 || tooLong {
			switch rec, ok := decodeLine(line); {
			case tooLong || !ok:
				st.Corrupt++
			default:
				recs = append(recs, rec)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return recs, st, err
		}
	}
	st.Records = len(recs)
	return recs, st, nil
}

// readLine reads one line without its newline, or reports it longer than
// MaxLineSize (and discards it).
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > MaxLineSize+1 {
			tooLong, line = true, nil
		} else if !tooLong {
			line = append(line, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), tooLong, err
	}
}

// decodeLine reads one line as a record: strictly, every field of the
// right kind, no unknown field, a known version, a host ID, a scan time.
func decodeLine(line []byte) (Record, bool) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return Record{}, false
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var rec Record
	if err := dec.Decode(&rec); err != nil || dec.More() {
		return Record{}, false
	}
	return rec, rec.valid()
}

func (r Record) valid() bool {
	return r.V == Version && (r.HostID != "" || strings.TrimSpace(r.HostName) != "") && !r.ScannedAt.IsZero() &&
		len(r.ResultSHA256) == 64 && r.Checks != nil
}

// Identity is the machine a record is of: its host ID, or, for a result
// without one, its name.
func (r Record) Identity() string {
	if r.HostID != "" {
		return "id:" + strings.ToLower(r.HostID)
	}
	return "name:" + strings.ToLower(strings.TrimSpace(r.HostName))
}

// Write writes the records, one JSON line each.
func Write(w io.Writer, recs []Record) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// Add is the history after the run rec: the records read before, with rec
// added (replacing a record of the same machine and scan time), those older
// than KeepDays before now dropped, and at most MaxRecords kept, the newest.
// Records of other machines (a replaced PC that had the same name) are
// kept, and pruned alike.
func Add(recs []Record, rec Record, now time.Time) []Record {
	out := slices.DeleteFunc(slices.Clone(recs), func(r Record) bool {
		return SameRun(r, rec) || now.Sub(r.ScannedAt) > KeepDays*24*time.Hour
	})
	out = append(out, rec)
	slices.SortStableFunc(out, func(a, b Record) int { return a.ScannedAt.Compare(b.ScannedAt) })
	return out[max(0, len(out)-MaxRecords):]
}

// SameRun says whether two records are of the same run: the same result
// file, or the same machine and scan time.
func SameRun(a, b Record) bool {
	return a.ResultSHA256 == b.ResultSHA256 || a.Identity() == b.Identity() && a.ScannedAt.Equal(b.ScannedAt)
}

// Update reads a history file's content (nil: none yet), adds rec and
// returns the content to write back, with what reading left out.
func Update(old io.Reader, rec Record, now time.Time) ([]byte, Stats, error) {
	if !rec.valid() {
		return nil, Stats{}, fmt.Errorf("a history record needs its version, a scan time, a host ID or name, the verdicts and the result's SHA-256")
	}
	var recs []Record
	var st Stats
	if old != nil {
		var err error
		if recs, st, err = Read(old); err != nil {
			return nil, st, err
		}
	}
	var b bytes.Buffer
	err := Write(&b, Add(recs, rec, now))
	return b.Bytes(), st, err
}
