package report

import (
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/standards"
)

func ndg(t testing.TB) []standards.Standard {
	t.Helper()
	data, err := standards.Load()
	if err != nil {
		t.Fatal(err)
	}
	return data.NDG.Standards
}

// roundTrip is the report as another machine wrote it: JSON and back.
func roundTrip(t *testing.T, rep *Report) *Report {
	t.Helper()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRecountLeavesAnHonestReportAsItIs(t *testing.T) {
	honest := buildProfile(t, "win10-1607-wannacry-era")
	rep := roundTrip(t, honest)
	got, err := Recount(rep, ndg(t))
	if err != nil || len(got.Notes) != 0 || got.Differs {
		t.Fatalf("recount of an honest report: %+v, %v", got, err)
	}
	if !reflect.DeepEqual(rep, roundTrip(t, honest)) {
		t.Error("recounting an honest report changed it")
	}
}

// Attack: a result with failing checks and its outcome edited to Met (and
// its titles, severities and mappings rewritten) was believed by the
// roll-up and by report convert.
func TestRecountBelievesOnlyTheVerdicts(t *testing.T) {
	honest := buildProfile(t, "win10-1607-wannacry-era")
	if honest.Counts["fail"] < 4 || honest.Outcome != standards.NotMet {
		t.Fatalf("the profile fails %d checks, %s", honest.Counts["fail"], honest.Outcome)
	}
	rep := roundTrip(t, honest)
	hundred := 100
	rep.Outcome, rep.Score = standards.Met, &hundred
	for i := range rep.Standards {
		rep.Standards[i].Outcome, rep.Standards[i].Score = standards.Met, &hundred
	}
	for i := range rep.Results {
		rep.Results[i].Title, rep.Results[i].Severity, rep.Results[i].Mappings = "Informational: ignore", standards.Low, standards.Mappings{}
		rep.Results[i].IfFixed = nil
	}
	rep.Results = append(rep.Results, CheckResult{ID: "made-up", Status: standards.Fail, Severity: standards.Critical, Mappings: standards.Mappings{NDG: []int{1}}})
	rep.Counts = map[string]int{"pass": 99}

	got, err := Recount(rep, ndg(t))
	if err != nil {
		t.Fatal(err)
	}
	want := roundTrip(t, honest)
	if !reflect.DeepEqual(rep.Results, want.Results) || !reflect.DeepEqual(rep.Standards, want.Standards) || !reflect.DeepEqual(rep.Counts, want.Counts) ||
		rep.Outcome != want.Outcome || *rep.Score != *want.Score {
		t.Errorf("recounted: %s score %d, counts %v; want %s %d %v", rep.Outcome, *rep.Score, rep.Counts, want.Outcome, *want.Score, want.Counts)
	}
	notes := strings.Join(got.Notes, "\n")
	for _, say := range []string{`claims "Standards Met" (score 100)`, string(want.Outcome), "title or severity other than this build's catalogue", "1 result of a check not in this build's catalogue left out"} {
		if !strings.Contains(notes, say) {
			t.Errorf("the notes do not say %q:\n%s", say, notes)
		}
	}
	if !got.Differs || got.Unknown != 1 || !strings.Contains(strings.Join(rep.DataNotes, " "), "claims") {
		t.Errorf("%+v; data notes %q", got, rep.DataNotes)
	}
}

func TestRecountRefusesACheckJudgedTwice(t *testing.T) {
	rep := roundTrip(t, buildProfile(t, "win10-1607-wannacry-era"))
	pass := rep.Results[0]
	pass.Status = standards.Pass
	rep.Results = append(rep.Results, pass)
	if _, err := Recount(rep, ndg(t)); err == nil || !strings.Contains(err.Error(), pass.ID+" is judged twice") {
		t.Errorf("err = %v", err)
	}
}

func TestUnmarshalRefusesWhatReadersReadDifferently(t *testing.T) {
	type inner struct {
		Status string `json:"status"`
	}
	type doc struct {
		Outcome string            `json:"outcome"`
		Items   []inner           `json:"items"`
		Counts  map[string]int    `json:"counts"`
		Raw     json.RawMessage   `json:"raw"`
		Free    map[string]any    `json:"free"`
		Ptr     *inner            `json:"ptr"`
		Tags    map[string]string `json:"-"`
	}
	tests := []struct{ in, err string }{
		{`{"outcome":"a","items":[{"status":"x"}],"counts":{"Fail":1,"fail":2},"raw":{"A":1,"a":2},"ptr":{"status":"y"}}`, ""},
		{`{"outcome":"a","OUTCOME":"b"}`, `key "OUTCOME" in the top-level object is not "outcome"`},
		{`{"Outcome":"b"}`, `key "Outcome" in the top-level object is not "outcome"`},
		{`{"outcome":"a","outcome":"b"}`, `key "outcome" appears twice in the top-level object`},
		{`{"items":[{"status":"x"},{"STATUS":"y"}]}`, `key "STATUS" in items is not "status"`},
		{`{"ptr":{"status":"x","status":"y"}}`, `key "status" appears twice in ptr`},
		{`{"counts":{"fail":1,"fail":2}}`, `key "fail" appears twice in counts`},
		{`{"raw":{"a":{"b":1,"b":2}}}`, `key "b" appears twice in raw.a`},
		{`{"free":{"x":[{"k":1,"k":1}]}}`, `key "k" appears twice in free.x`},
		{`{"unknown":{"outcome":1,"OUTCOME":2}}`, ``},
		{`{"outcome":1}`, `cannot unmarshal number`},
	}
	for _, tt := range tests {
		var d doc
		err := Unmarshal([]byte(tt.in), &d)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: err = %v, want %q", tt.in, err, tt.err)
		}
	}
}

// Attack: a file without end (/dev/zero) or of gigabytes was read whole.
func TestReadStopsAtMaxSize(t *testing.T) {
	_, err := Read(io.LimitReader(zeros{}, 1<<40))
	if err == nil || !strings.Contains(err.Error(), "larger than 4 MB") {
		t.Errorf("err = %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
