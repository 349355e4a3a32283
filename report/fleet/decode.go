package fleet

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/sign"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// result is the part of one scan result the roll-up uses. Everything a
// result derives from its verdicts (outcome, scores, titles, severities)
// is recomputed by this build: see report.Recount.
type result struct {
	path      string
	digest    [sha256.Size]byte // of the bytes read, to read the same again
	schema    int
	tool      string
	host      report.Host
	scannedAt time.Time
	outcome   standards.Outcome
	score     *int
	standards []report.StandardResult
	checks    []report.CheckResult
	recount   report.Recounted
	// custom are the checks files the scan loaded, as recounted.
	custom   *report.CustomChecks
	previous *report.Previous
	// signer is who signed the file, when signErr is nil.
	signer  sign.Signer
	signErr error
}

// envelope is what tells a scan result from a snapshot, a roll-up or
// another program's file before the rest is read.
type envelope struct {
	SchemaVersion *int            `json:"schema_version"`
	Tool          json.RawMessage `json:"tool"`
	Kind          string          `json:"kind"`
	CollectedAt   json.RawMessage `json:"collected_at"`
	Results       json.RawMessage `json:"results"`
}

// readsSchema is the newest result schema version this build reads. A
// new version adds a case to decode; the older ones stay.
const readsSchema = report.SchemaVersion

// MaxResultSize is the largest file read as a result (report.MaxSize): a
// scan writes tens of kilobytes.
const MaxResultSize = report.MaxSize

// FutureSlack is how far after the roll-up's time a scan may claim to be
// before its result is set aside: clocks drift, but not by days.
const FutureSlack = 24 * time.Hour

// reader reads and judges files the same way in every pass.
type reader struct {
	ndg      []standards.Standard
	now      time.Time
	practice *standards.Practice
}

func (rd reader) decodeFile(path string) decoded {
	b, reason := readBounded(path)
	if reason != "" {
		return decoded{path: path, reason: reason}
	}
	res, err := rd.decode(b)
	if err != nil {
		return decoded{path: path, reason: err.Error()}
	}
	if res.scannedAt.After(rd.now.Add(FutureSlack)) {
		return decoded{path: path, reason: fmt.Sprintf("scanned_at %s is more than a day after this roll-up (%s): a wrong clock or a forged file; not counted",
			res.scannedAt.UTC().Format(time.RFC3339), rd.now.UTC().Format(time.RFC3339))}
	}
	res.path, res.digest = path, sha256.Sum256(b)
	res.signer, res.signErr = sign.Verify(b, res.host.ID)
	return decoded{path: path, result: res}
}

// readBounded reads a regular file of at most MaxResultSize bytes, or says
// why it did not.
func readBounded(path string) ([]byte, string) {
	f, err := openResult(path)
	if err != nil {
		return nil, "cannot read: " + unwrapPath(err).Error()
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, "cannot read: " + unwrapPath(err).Error()
	}
	if !info.Mode().IsRegular() {
		return nil, notRegular(info.Mode())
	}
	tooLarge := fmt.Sprintf("larger than %s, the most a result is read to (a scan writes tens of KB)", report.SizeText(MaxResultSize))
	if info.Size() > MaxResultSize {
		return nil, tooLarge
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxResultSize+1))
	if err != nil {
		return nil, "cannot read: " + unwrapPath(err).Error()
	}
	if len(b) > MaxResultSize {
		return nil, tooLarge
	}
	return b, ""
}

// decode reads one file's bytes as a scan result, or says why it is not
// one. A result is decoded once; only a file that does not decode is
// looked at again, to say what it is.
func (rd reader) decode(b []byte) (*result, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("empty file (a copy cut short, or a write that never finished)")
	}
	rep, recount, err := rd.report(b, false)
	if err == nil {
		return v1(rep, recount)
	}
	if what := whatIs(b); what != nil {
		return nil, what
	}
	return nil, fmt.Errorf("schema version 1 result does not decode: %v", err)
}

// whatIs says what a file that is not a readable scan result is, or nil
// when it looks like one.
func whatIs(b []byte) error {
	switch kind := report.IdentifyFile(b); kind {
	case report.ScanResult, report.Snapshot, report.Rollup, report.OtherJSON, report.BrokenJSON:
		// the envelope says more: which tool, which schema version
	default:
		return fmt.Errorf("%s, not a scan result", kind)
	}
	var f envelope
	err := json.Unmarshal(b, &f)
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Errorf("not JSON, or cut short: %v at byte %d", syntax, syntax.Offset)
	}
	if err := f.what(); err != nil {
		return err
	}
	if *f.SchemaVersion != 1 {
		return fmt.Errorf("result schema version %d was never written by dspt-audit", *f.SchemaVersion)
	}
	return nil
}

// report decodes and recounts a result: both passes over a file go
// through here, so a file accepted once is accepted again. The if-fixed
// figures, which cannot fail, are worked out only when withIfFixed.
func (rd reader) report(b []byte, withIfFixed bool) (*report.Report, report.Recounted, error) {
	rep, err := report.Decode(b)
	if err != nil {
		return nil, report.Recounted{}, err
	}
	if rep.Results == nil {
		return nil, report.Recounted{}, errors.New("no results")
	}
	recount := report.Rescore
	if withIfFixed {
		recount = report.Recount
	}
	counted, err := recount(rep, rd.ndg)
	if err == nil && rd.practice != nil {
		apply := report.ApplyPracticeScores
		if withIfFixed {
			apply = report.ApplyPractice
		}
		apply(rep, rd.practice.File, rd.practice, nil, rd.now)
	}
	return rep, counted, err
}

// what says what a file that is not a readable scan result is, or nil.
func (f *envelope) what() error {
	var toolName string
	var tool report.Tool
	switch {
	case json.Unmarshal(f.Tool, &toolName) == nil && strings.HasPrefix(toolName, "dspt-audit") && f.CollectedAt != nil:
		return errors.New("a snapshot from 'dspt-audit collect', not a scan result: judge it with 'dspt-audit scan --from FILE -o HOST.json'")
	case f.Kind == Kind:
		return errors.New("a roll-up written by 'dspt-audit fleet', not a scan result")
	case json.Unmarshal(f.Tool, &tool) != nil || tool.Name != "dspt-audit" || f.Results == nil && f.SchemaVersion == nil:
		return errors.New("not a dspt-audit scan result (another program's JSON file)")
	case f.SchemaVersion == nil:
		return errors.New("a dspt-audit result without a schema_version: not written by a released version")
	case *f.SchemaVersion > readsSchema:
		return fmt.Errorf("written by a newer dspt-audit (%s, result schema %d; this build reads up to %d): roll up with that version or newer",
			tool.Version, *f.SchemaVersion, readsSchema)
	}
	return nil
}

func v1(rep *report.Report, recount report.Recounted) (*result, error) {
	switch {
	case strings.TrimSpace(rep.Host.Name) == "":
		return nil, errors.New("no host name")
	case rep.ScannedAt.IsZero():
		return nil, errors.New("no scan time")
	}
	return &result{
		schema: 1, tool: rep.Tool.Version, host: rep.Host, scannedAt: rep.ScannedAt, outcome: rep.Outcome,
		score: rep.Score, standards: rep.Standards, checks: rep.Results, recount: recount, custom: rep.CustomChecks,
		previous: rep.Previous,
	}, nil
}
