package fleet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/sign"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// result is the part of one scan result the roll-up uses.
type result struct {
	path      string
	schema    int
	tool      string
	host      report.Host
	scannedAt time.Time
	outcome   standards.Outcome
	score     *int
	standards []standardOutcome
	checks    []checkVerdict
	// signer is who signed the file, when signErr is nil.
	signer  sign.Signer
	signErr error
}

type standardOutcome struct {
	Number  int               `json:"number"`
	Outcome standards.Outcome `json:"outcome"`
}

type checkVerdict struct {
	ID       string             `json:"id"`
	Title    string             `json:"title"`
	Status   standards.Status   `json:"status"`
	Severity standards.Severity `json:"severity"`
}

// resultFile is a JSON file read as schema version 1 of the report, in
// one pass: the envelope fields tell a scan result from a snapshot, a
// roll-up or another program's file before the rest is trusted. Fields
// added to version 1 after the first release (machine_evidence, if_fixed)
// are not needed here, so results from every version so far decode.
type resultFile struct {
	SchemaVersion *int              `json:"schema_version"`
	Tool          json.RawMessage   `json:"tool"`
	Kind          string            `json:"kind"`
	CollectedAt   json.RawMessage   `json:"collected_at"`
	Host          report.Host       `json:"host"`
	ScannedAt     time.Time         `json:"scanned_at"`
	Outcome       standards.Outcome `json:"outcome"`
	Score         *int              `json:"score"`
	Standards     []standardOutcome `json:"standards"`
	Results       *[]checkVerdict   `json:"results"`
}

// readsSchema is the newest result schema version this build reads. A
// new version adds a case to decode; the older ones stay.
const readsSchema = report.SchemaVersion

func decodeFile(path string) decoded {
	b, err := os.ReadFile(path)
	if err != nil {
		return decoded{path: path, reason: "cannot read: " + unwrapPath(err).Error()}
	}
	res, err := decode(b)
	if err != nil {
		return decoded{path: path, reason: err.Error()}
	}
	res.path = path
	res.signer, res.signErr = sign.Verify(b, res.host.ID)
	return decoded{path: path, result: res}
}

// decode reads one file's bytes as a scan result, or says why it is not one.
func decode(b []byte) (*result, error) {
	b, err := standards.UTF8Text(b)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("empty file (a copy cut short, or a write that never finished)")
	}
	var f resultFile
	err = json.Unmarshal(b, &f)
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return nil, fmt.Errorf("not JSON, or cut short: %v at byte %d", syntax, syntax.Offset)
	}
	tool, what := f.what()
	if what != nil {
		return nil, what
	}
	switch *f.SchemaVersion {
	case 1:
		if err != nil {
			return nil, fmt.Errorf("schema version 1 result does not decode: %v", err)
		}
		return f.v1(tool)
	}
	return nil, fmt.Errorf("result schema version %d was never written by dspt-audit", *f.SchemaVersion)
}

// what says what a file that is not a readable scan result is, or nil,
// and returns the tool that wrote it.
func (f *resultFile) what() (report.Tool, error) {
	var toolName string
	var tool report.Tool
	switch {
	case json.Unmarshal(f.Tool, &toolName) == nil && strings.HasPrefix(toolName, "dspt-audit") && f.CollectedAt != nil:
		return tool, errors.New("a snapshot from 'dspt-audit collect', not a scan result: judge it with 'dspt-audit scan --from FILE -o HOST.json'")
	case f.Kind == Kind:
		return tool, errors.New("a roll-up written by 'dspt-audit fleet', not a scan result")
	case json.Unmarshal(f.Tool, &tool) != nil || tool.Name != "dspt-audit" || f.Results == nil && f.SchemaVersion == nil:
		return tool, errors.New("not a dspt-audit scan result (another program's JSON file)")
	case f.SchemaVersion == nil:
		return tool, errors.New("a dspt-audit result without a schema_version: not written by a released version")
	case *f.SchemaVersion > readsSchema:
		return tool, fmt.Errorf("written by a newer dspt-audit (%s, result schema %d; this build reads up to %d): roll up with that version or newer",
			tool.Version, *f.SchemaVersion, readsSchema)
	}
	return tool, nil
}

func (f *resultFile) v1(tool report.Tool) (*result, error) {
	switch {
	case f.Results == nil:
		return nil, errors.New("no results")
	case strings.TrimSpace(f.Host.Name) == "":
		return nil, errors.New("no host name")
	case f.ScannedAt.IsZero():
		return nil, errors.New("no scan time")
	}
	if _, ok := outcomeCode(f.Outcome); !ok {
		return nil, fmt.Errorf("unknown outcome %q", f.Outcome)
	}
	for _, s := range f.Standards {
		if _, ok := outcomeCode(s.Outcome); !ok {
			return nil, fmt.Errorf("standard %d: unknown outcome %q", s.Number, s.Outcome)
		}
	}
	return &result{
		schema: 1, tool: tool.Version, host: f.Host, scannedAt: f.ScannedAt, outcome: f.Outcome,
		score: f.Score, standards: f.Standards, checks: *f.Results,
	}, nil
}
