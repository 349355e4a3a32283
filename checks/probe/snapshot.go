package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// SnapshotSchemaVersion is the version of the snapshot format this build
// writes and reads. Bump it on any change a reader of the old version would
// misread.
const SnapshotSchemaVersion = 1

// Snapshot is a recorded scan: who, when, and every observation, with no
// verdicts. Replaying it with the same checks gives the same verdicts.
type Snapshot struct {
	SchemaVersion int           `json:"schema_version"`
	Tool          string        `json:"tool"`
	CollectedAt   time.Time     `json:"collected_at"`
	Host          HostInfo      `json:"host"`
	Observations  []Observation `json:"observations"`
}

// ReadSnapshot decodes and checks a snapshot. Unknown fields, a different
// schema version and a truncated file are errors, never a partial replay.
func ReadSnapshot(r io.Reader) (*Snapshot, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if b, err = standards.UTF8Text(b); err != nil {
		return nil, fmt.Errorf("not a dspt-audit snapshot: %v", err)
	}
	var head struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("not a dspt-audit snapshot: %s", jsonProblem(err))
	}
	if head.SchemaVersion == nil {
		return nil, fmt.Errorf("not a dspt-audit snapshot: no schema_version")
	}
	if *head.SchemaVersion != SnapshotSchemaVersion {
		return nil, fmt.Errorf("snapshot schema version %d is not supported by this build (it reads version %d): use a matching dspt-audit", *head.SchemaVersion, SnapshotSchemaVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s Snapshot
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("not a valid dspt-audit snapshot: %s", jsonProblem(err))
	}
	if s.CollectedAt.IsZero() {
		return nil, fmt.Errorf("not a valid dspt-audit snapshot: no collected_at time")
	}
	for i, o := range s.Observations {
		if o.Key == "" || (o.Error == nil) == (o.Value == nil) {
			return nil, fmt.Errorf("not a valid dspt-audit snapshot: observation %d needs a key and exactly one of value or error", i+1)
		}
	}
	return &s, nil
}

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &syn) && strings.Contains(syn.Error(), "unexpected end") {
		return "the file ends early (truncated?)"
	}
	if errors.As(err, &syn) {
		return fmt.Sprintf("%v (at byte %d)", err, syn.Offset)
	}
	return err.Error()
}

// Replay answers queries from a snapshot. A query the snapshot did not
// record is a NotRecorded error, so a newer check on an older snapshot says
// unknown rather than guessing.
type Replay struct {
	obs       map[string]Observation
	collector string
}

// NewReplay serves the snapshot's observations.
func NewReplay(s *Snapshot) *Replay {
	r := &Replay{obs: make(map[string]Observation, len(s.Observations)), collector: s.Tool}
	for _, o := range s.Observations {
		r.obs[o.Key] = o
	}
	return r
}

// Collector names the program that recorded the snapshot, as it said.
func (r *Replay) Collector() string { return r.collector }

// Read returns the recorded value or error.
func (r *Replay) Read(_ context.Context, q Query) (any, error) {
	o, ok := r.obs[q.Key()]
	if !ok {
		return nil, Errorf(NotRecorded, "the snapshot holds no observation for %s", q)
	}
	if o.Error != nil {
		return nil, o.Error
	}
	return o.Value, nil
}
