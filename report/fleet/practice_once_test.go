package fleet

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// TestPracticeAnswerJudgedOnce answers 1.1.5 "not met": the practice's
// standard 1 is Not Met, once, while every host's own outcomes stay what
// its checks and accepted risks give, the same as with no answers at all.
func TestPracticeAnswerJudgedOnce(t *testing.T) {
	dir := writeProfiles(t, nil)
	p := fleetPractice()
	p.Attestations = append(p.Attestations, standards.Attestation{Item: "1.1.5", Standard: 1, Answer: standards.AnswerNotMet,
		Owner: "Practice Manager", Reviewed: standards.MustDate("2026-05-02"), NextReview: standards.MustDate("2027-05-01")})
	roll := practiceRollup(t, dir, p)
	unanswered := fleetPractice()
	unanswered.Attestations = nil
	plain := practiceRollup(t, dir, unanswered)

	own := map[string]*Host{}
	for _, h := range plain.Hosts {
		own[h.Name] = h
	}
	for _, h := range roll.Hosts {
		o := own[h.Name]
		if o == nil || h.Outcome != o.Outcome || h.standards != o.standards || h.Failing != o.Failing {
			t.Errorf("%s: outcome %s, standards %v with the answers; %v without", h.Name, h.Outcome, h.standards, o)
		}
		if h.Outcome == standards.NotMet && h.Failing == 0 {
			t.Errorf("%s is Not Met with no failing check", h.Name)
		}
	}
	if slices.IndexFunc(roll.Hosts, func(h *Host) bool { return h.Outcome != standards.NotMet }) < slices.IndexFunc(roll.Hosts, func(h *Host) bool { return h.Outcome == standards.NotMet }) &&
		slices.ContainsFunc(roll.Hosts, func(h *Host) bool { return h.Outcome == standards.NotMet }) {
		t.Error("a host that is not Not Met is ranked above one that is")
	}

	// Standard 1: no check assesses it on any host; the practice's answer
	// makes it Not Met for the practice, naming no host.
	one := roll.Standards[0]
	if one.Number != 1 {
		t.Fatalf("first standard is %d", one.Number)
	}
	for _, rep := range profileReports(t) {
		if rep.Standards[0].MachineOutcome != standards.NotAssessed && rep.Standards[0].Outcome != standards.NotAssessed {
			t.Fatalf("%s: a check assesses standard 1 (%s); the test needs a standard none does", rep.Host.Name, rep.Standards[0].Outcome)
		}
	}
	if one.Outcome != standards.NotMet || one.HostsOutcome != standards.NotAssessed || one.Assessed != 0 || one.NotMet != 0 || len(one.NotMetHosts) != 0 {
		t.Errorf("standard 1 = %+v, want Not Met for the practice with no host assessed", one)
	}
	if one.Attested.Outcome != standards.NotMet || !strings.Contains(one.AttestedText, "1.1.5 not met") {
		t.Errorf("standard 1 attested %s, %q", one.Attested.Outcome, one.AttestedText)
	}
	if roll.Outcome != standards.NotMet {
		t.Errorf("practice outcome %s with a mandatory item answered not met", roll.Outcome)
	}
	// Every other standard is its hosts' outcome combined once with the
	// practice's answers, by the single-host rule.
	attested := report.PracticeOutcomes(roll.ndg, p, roll.GeneratedAt)
	for i, s := range roll.Standards {
		hosts := plain.Standards[i].HostsOutcome
		a := attested[s.Number]
		if want := standards.Combine(hosts, a.Outcome, len(a.Outstanding) > 0); s.Outcome != want || s.HostsOutcome != hosts {
			t.Errorf("standard %d: %s (hosts %s), want %s from hosts %s and attested %s", s.Number, s.Outcome, s.HostsOutcome, want, hosts, a.Outcome)
		}
	}

	var term strings.Builder
	if err := Terminal(&term, roll, TerminalOptions{MaxHosts: 100}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(term.String(), "\n") {
		if strings.HasPrefix(line, " 1 ") && !strings.Contains(line, string(standards.NotMet)) {
			t.Errorf("terminal standard 1 line: %q", line)
		}
		if strings.Contains(line, " 0 failing") && strings.Contains(line, string(standards.NotMet)) {
			t.Errorf("terminal lists a host Not Met with 0 failing: %q", line)
		}
	}
	if !strings.Contains(term.String(), "1.1.5 not met") {
		t.Errorf("terminal does not say the practice's answer:\n%s", term.String())
	}
	var doc strings.Builder
	if err := JSON(&doc, roll); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Standards []jsonStandard `json:"standards"`
	}
	if err := json.Unmarshal([]byte(doc.String()), &got); err != nil {
		t.Fatal(err)
	}
	if js := got.Standards[0]; js.Outcome != standards.NotMet || js.HostsOutcome != standards.NotAssessed || js.Attested == nil || js.Attested.Outcome != standards.NotMet || js.Assessed != 0 {
		t.Errorf("JSON standard 1 = %+v", js)
	}
	outcomes := map[string]standards.Outcome{}
	for line := range strings.Lines(string(write(t, "ocsf", roll))) {
		var e struct {
			Device struct {
				Hostname string `json:"hostname"`
			} `json:"device"`
			Unmapped struct {
				Outcome standards.Outcome `json:"dspt_outcome"`
			} `json:"unmapped"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		outcomes[e.Device.Hostname] = e.Unmapped.Outcome
	}
	for _, h := range plain.Hosts {
		if outcomes[h.Name] != h.Outcome {
			t.Errorf("OCSF events of %s say %q; its own outcome is %s", h.Name, outcomes[h.Name], h.Outcome)
		}
	}
	var page strings.Builder
	if err := HTML(&page, roll); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "1.1.5 not met") {
		t.Error("roll-up page does not say the practice's answer")
	}
}

// TestFleetActionCounts checks each action's PCs against counts made
// straight from the profiles' verdicts: a fix names the PCs that fail or
// warn, a find-out those that could not tell, as the check table counts.
func TestFleetActionCounts(t *testing.T) {
	roll := practiceRollup(t, writeProfiles(t, nil), fleetPractice())
	// Each host's counted result is the profile its file was written from
	// (writeProfiles names them by index).
	counts := map[string]map[standards.Status]int{}
	reps := profileReports(t)
	for _, h := range roll.Hosts {
		var i int
		if _, err := fmt.Sscanf(filepath.Base(h.File), "%02d.json", &i); err != nil || i >= len(reps) {
			t.Fatalf("%s: file %s", h.Name, h.File)
		}
		for _, r := range reps[i].Results {
			if counts[r.ID] == nil {
				counts[r.ID] = map[standards.Status]int{}
			}
			counts[r.ID][r.Status]++
		}
	}
	want := func(a report.Action) int {
		c := counts[a.Check]
		if a.Kind == "fix" {
			return c[standards.Fail] + c[standards.Warn]
		}
		return c[standards.Unknown] + c[standards.NeedsAdmin]
	}
	seen := map[string]bool{}
	for _, a := range roll.candidates() {
		if a.Kind == "answer" {
			if a.Hosts != 0 {
				t.Errorf("answer %s names %d PCs: answers are the practice's", a.Item, a.Hosts)
			}
			continue
		}
		seen[a.Kind] = true
		tally := roll.checkTally(a.Check)
		if a.Hosts != want(a) {
			t.Errorf("%s %s on %d PCs; the profiles give %d", a.Kind, a.Check, a.Hosts, want(a))
		}
		tallied := tally.Count(standards.Fail) + tally.Count(standards.Warn)
		if a.Kind == "find out" {
			tallied = tally.Unsure()
		}
		if a.Hosts != tallied {
			t.Errorf("%s %s on %d PCs; the check table counts %d", a.Kind, a.Check, a.Hosts, tallied)
		}
	}
	if !seen["fix"] || !seen["find out"] {
		t.Errorf("the profiles give no %v action: the test proves nothing", seen)
	}
	for _, a := range roll.ActionPlan {
		if a.Kind == "answer" {
			continue
		}
		if !strings.HasPrefix(a.Text, fmt.Sprintf("%s %s", a.Kind, a.Check)) || !strings.Contains(a.Text, fmt.Sprintf(" on %d PC", want(a))) {
			t.Errorf("action text %q; the profiles give %d PCs", a.Text, want(a))
		}
		if c := counts[a.Check]; a.Kind == "fix" && c[standards.Warn] > 0 && !strings.Contains(a.Text, fmt.Sprintf("(%d failing, %d warning)", c[standards.Fail], c[standards.Warn])) {
			t.Errorf("action text %q does not split %d failing from %d warning", a.Text, c[standards.Fail], c[standards.Warn])
		}
	}
}
