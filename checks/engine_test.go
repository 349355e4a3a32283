package checks

import (
	"context"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// hangingSource wraps a source and never answers one query, ignoring its
// context, as a stuck WMI call does.
type hangingSource struct {
	probe.Source
	hangOn string
	stop   chan struct{}
}

func (h hangingSource) Read(ctx context.Context, q probe.Query) (any, error) {
	if q.Key() == h.hangOn {
		<-h.stop
	}
	return h.Source.Read(ctx, q)
}

// scanWithHungProbe replays the patched profile with one probe that never
// answers.
func scanWithHungProbe(t *testing.T, hangOn probe.Query, timeout time.Duration) *Scan {
	t.Helper()
	snap := loadProfile(t, "win11-enterprise-24h2-patched")
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	src := hangingSource{Source: probe.NewReplay(snap), hangOn: hangOn.Key(), stop: stop}
	start := time.Now()
	scan, err := Run(context.Background(), src, Options{Checks: All(), Data: loadData(t), ProbeTimeout: timeout, Clock: func() time.Time { return snap.CollectedAt }})
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("scan took %s with one hung probe", elapsed)
	}
	return scan
}

func TestHangingProbeDoesNotStopTheScan(t *testing.T) {
	scan := scanWithHungProbe(t, smbServerConfigs.Query, 500*time.Millisecond)
	byID := resultsByID(scan)
	// The SMB server config timed out; the check fell back to the feature
	// state, and every other check was judged as usual.
	smb := byID["smb1-disabled"]
	if smb.Verdict.Status != standards.Pass || !strings.Contains(smb.Verdict.Summary, "optional feature SMB1Protocol-Server InstallState = 2") {
		t.Errorf("smb1-disabled: %s %q", smb.Verdict.Status, smb.Verdict.Summary)
	}
	if !hasEvidence(smb, probe.Timeout) {
		t.Errorf("smb1-disabled evidence lacks the timed-out probe: %+v", smb.Evidence)
	}
	for _, id := range []string{"os-supported", "patches-current", "firewall-on"} {
		if byID[id].Verdict.Status != standards.Pass {
			t.Errorf("%s: %s %s", id, byID[id].Verdict.Status, byID[id].Verdict.Summary)
		}
	}
}

func TestHangingProbeWithoutFallbackIsUnknown(t *testing.T) {
	scan := scanWithHungProbe(t, regUBR, 500*time.Millisecond)
	for _, id := range []string{"os-supported", "patches-current"} {
		r := resultsByID(scan)[id]
		if r.Verdict.Status != standards.Unknown || !strings.Contains(r.Verdict.Summary, "(timeout)") {
			t.Errorf("%s: %s %q, want unknown naming the timeout", id, r.Verdict.Status, r.Verdict.Summary)
		}
	}
}

func TestPanickingCheckBecomesUnknown(t *testing.T) {
	data := loadData(t)
	snap := loadProfile(t, "win11-enterprise-24h2-patched")
	broken := &Check{ID: "broken", Title: "Broken", Severity: standards.Low, Platforms: []string{Windows},
		Mappings: standards.Mappings{NDG: []int{9}}, Reads: []probe.Query{regUBR},
		Evaluate: func(e *Env) Verdict { e.Observe(regUBR); var m map[string]int; m["x"]++; return Verdict{} }}
	stuck := &Check{ID: "stuck", Title: "Stuck", Severity: standards.Low, Platforms: []string{Windows},
		Mappings: standards.Mappings{NDG: []int{9}},
		Evaluate: func(*Env) Verdict { select {} }}
	sneaky := &Check{ID: "sneaky", Title: "Sneaky", Severity: standards.Low, Platforms: []string{Windows},
		Mappings: standards.Mappings{NDG: []int{9}},
		Evaluate: func(e *Env) Verdict {
			_, err := e.Observe(regUBR).RegInt()
			return verdict(standards.Unknown, "%v", err)
		}}
	checks := append(All(), broken, stuck, sneaky)
	// The stuck check costs two probe timeouts; long enough that a loaded
	// machine under -race still finishes the others within theirs.
	scan, err := Run(context.Background(), probe.NewReplay(snap), Options{Checks: checks, Data: data, ProbeTimeout: 250 * time.Millisecond, Clock: func() time.Time { return snap.CollectedAt }})
	if err != nil {
		t.Fatal(err)
	}
	byID := resultsByID(scan)
	if r := byID["broken"]; r.Verdict.Status != standards.Unknown || !strings.Contains(r.Verdict.Summary, "assignment to entry in nil map") || len(r.Evidence) != 1 {
		t.Errorf("broken: %s %q evidence %d", r.Verdict.Status, r.Verdict.Summary, len(r.Evidence))
	}
	if r := byID["stuck"]; r.Verdict.Status != standards.Unknown || !strings.Contains(r.Verdict.Summary, "did not finish") {
		t.Errorf("stuck: %s %q", r.Verdict.Status, r.Verdict.Summary)
	}
	if r := byID["sneaky"]; len(r.Evidence) != 1 || !Undeclared(r.Evidence[0]) {
		t.Errorf("sneaky read an undeclared probe and it was not flagged: %+v", r.Evidence)
	}
	if r := byID["os-supported"]; r.Verdict.Status != standards.Pass {
		t.Errorf("os-supported beside broken checks: %s", r.Verdict.Status)
	}
}

var checkID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// TestCatalogue holds every check to the plug-in contract.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range All() {
		if !checkID.MatchString(c.ID) || seen[c.ID] {
			t.Errorf("check id %q is not unique kebab-case", c.ID)
		}
		seen[c.ID] = true
		if c.Title == "" || c.Remediation == "" || c.Evaluate == nil || len(c.Platforms) == 0 || len(c.Reads) == 0 {
			t.Errorf("%s: title, remediation, evaluate, platforms and reads are all required", c.ID)
		}
		if c.Severity < standards.Low || c.Severity > standards.Critical {
			t.Errorf("%s: severity %d", c.ID, c.Severity)
		}
		if err := c.Mappings.Validate(); err != nil {
			t.Errorf("%s: mappings: %v", c.ID, err)
		}
	}
}

// TestLiveEqualsReplay proves that the snapshot a live scan records replays
// to the same verdicts and the same evidence, on this machine.
func TestLiveEqualsReplay(t *testing.T) {
	data := loadData(t)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	live, err := Run(context.Background(), probe.Live{}, Options{Checks: All(), Data: data, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if len(live.Results) == 0 {
		t.Fatalf("no checks ran for platform %q", live.Host.OS)
	}
	snap := live.Snapshot("test")
	again, err := Run(context.Background(), probe.NewReplay(snap), Options{Checks: All(), Data: data, Clock: func() time.Time { return snap.CollectedAt }})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(live.Host, again.Host) || !live.ScannedAt.Equal(again.ScannedAt) {
		t.Errorf("host or time differ: %+v %s vs %+v %s", live.Host, live.ScannedAt, again.Host, again.ScannedAt)
	}
	for i := range live.Results {
		a, b := live.Results[i], again.Results[i]
		if a.Check.ID != b.Check.ID || !reflect.DeepEqual(a.Verdict, b.Verdict) || !reflect.DeepEqual(a.Evidence, b.Evidence) {
			t.Errorf("%s: live %+v %+v\nreplay %+v %+v", a.Check.ID, a.Verdict, a.Evidence, b.Verdict, b.Evidence)
		}
	}
	if !reflect.DeepEqual(live.Observations, again.Observations) {
		t.Errorf("observations differ")
	}
}

func resultsByID(s *Scan) map[string]Result {
	m := map[string]Result{}
	for _, r := range s.Results {
		m[r.Check.ID] = r
	}
	return m
}

func hasEvidence(r Result, class probe.ErrorClass) bool {
	for _, o := range r.Evidence {
		if o.Is(class) {
			return true
		}
	}
	return false
}
