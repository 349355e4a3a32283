package report

import (
	"bytes"
	"cmp"
	"errors"
	"html"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/standards"
)

var practiceNow = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// testPractice is a practice file as the practice package would read it:
// attestations (2.1.1 expired, 10.2.1 only partly), an accepted risk on
// os-supported and an expired one on patches-current, and assets.
func testPractice() *standards.Practice {
	att := func(item string, std int, answer standards.Answer, owner, next string) standards.Attestation {
		return standards.Attestation{Item: item, Standard: std, Answer: answer, Evidence: `\\server\dspt\` + item + ".pdf",
			Owner: owner, Reviewed: standards.MustDate("2026-05-02"), NextReview: standards.MustDate(next)}
	}
	return &standards.Practice{
		Name: "Riverside Surgery", ODS: "Y12345",
		Attestations: []standards.Attestation{
			att("3.2.1", 3, standards.AnswerMet, "Practice Manager", "2027-05-01"),
			att("2.1.1", 2, standards.AnswerMet, "Practice Manager", "2026-11-01"),
			att("2.2.1", 2, standards.AnswerMet, "Practice Manager", "2027-05-01"),
			att("4.3.1", 4, standards.AnswerMet, "IT Lead", "2027-05-01"),
			att("8.3.8", 8, standards.AnswerMet, "IT Lead", "2027-05-01"),
			att("10.2.1", 10, standards.AnswerPartly, "Practice Manager", "2027-05-01"),
		},
		Risks: []standards.AcceptedRisk{
			{Check: "os-supported", Hosts: []string{"GP-*"}, Reason: "spirometry software needs Windows 10", CompensatingControls: "no internet access, separate VLAN",
				Owner: "IT Lead", ApprovedBy: "Caldicott Guardian", Expires: standards.MustDate("2027-03-31")},
			{Check: "patches-current", Hosts: []string{"GP-*", "vm"}, Reason: "supplier validation of updates",
				Owner: "IT Lead", ApprovedBy: "Caldicott Guardian", Expires: standards.MustDate("2026-10-31")},
		},
		Assets: []standards.Asset{{Name: "EMIS server", Kind: "server", Location: "comms room"}, {Name: "Patient list", Kind: "data set"}},
	}
}

func profileNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "profiles", "*.json"))
	if err != nil || len(files) < 15 {
		t.Fatalf("profiles: %v (%d)", err, len(files))
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".json"))
	}
	return names
}

func TestApplyPracticeProfiles(t *testing.T) {
	p := testPractice()
	for _, name := range profileNames(t) {
		t.Run(name, func(t *testing.T) {
			rep := buildProfile(t, name)
			ApplyPractice(rep, "practice.yaml", p, nil, practiceNow)
			if rep.Practice == nil || !rep.Practice.Used {
				t.Fatalf("practice use = %+v", rep.Practice)
			}
			checkEvidenceMix(t, rep)
			checkRisks(t, rep, name)
			checkAttested(t, rep)
		})
	}
}

// checkEvidenceMix requires each standard's evidence to be what its checks
// and the practice file give: standards 2, 3, 4, 8 and 10 attested, 1 and
// 5 by nothing.
func checkEvidenceMix(t *testing.T, rep *Report) {
	t.Helper()
	attested := map[int]bool{2: true, 3: true, 4: true, 8: true, 10: true}
	var counts Evidenced
	for _, s := range rep.Standards {
		var want []string
		if s.MachineOutcome != standards.NotAssessed {
			want = append(want, "machine")
			counts.Machine++
		}
		if attested[s.Number] {
			if len(want) > 0 {
				counts.Both++
			}
			want = append(want, "attestation")
			counts.Attestation++
		}
		if len(want) == 0 {
			counts.None++
			if s.Outcome != standards.NotAssessed {
				t.Errorf("standard %d has no evidence but is %s", s.Number, s.Outcome)
			}
		}
		if !slices.Equal(s.EvidencedBy, want) {
			t.Errorf("standard %d evidenced by %q, want %q", s.Number, s.EvidencedBy, want)
		}
	}
	if *rep.Evidenced != counts {
		t.Errorf("evidenced %+v, want %+v", *rep.Evidenced, counts)
	}
	if n := counts.Machine + counts.Attestation - counts.Both + counts.None; n != 10 {
		t.Errorf("the standards counted add up to %d, not 10", n)
	}
	for _, n := range []int{1, 5} {
		if got := rep.Standards[n-1]; len(got.EvidencedBy) != 0 || got.Outcome != standards.NotAssessed {
			t.Errorf("standard %d: %q %s, want nothing and not assessed", n, got.EvidencedBy, got.Outcome)
		}
	}
}

// checkRisks requires the accepted risk to label its failure without
// hiding it or giving Met, and the expired one to count as if the practice
// had never accepted it.
func checkRisks(t *testing.T, rep *Report, name string) {
	t.Helper()
	for _, r := range rep.Results {
		if r.AcceptedRisk == nil {
			continue
		}
		if r.Status != standards.Fail {
			t.Errorf("%s under an accepted risk is %s", r.ID, r.Status)
		}
		switch r.ID {
		case "os-supported":
			if r.AcceptedRisk.Expired || r.AcceptedRisk.DaysLeft != 124 || !strings.HasPrefix(r.AcceptedRisk.Text, "risk accepted by IT Lead until 2027-03-31, compensating: no internet access") {
				t.Errorf("os-supported risk = %+v", r.AcceptedRisk)
			}
			for _, s := range rep.Standards {
				if slices.Contains(r.Mappings.NDG, s.Number) && s.Outcome == standards.Met {
					t.Errorf("standard %d is Met with an accepted failure", s.Number)
				}
			}
		case "patches-current":
			if !r.AcceptedRisk.Expired || !strings.Contains(r.AcceptedRisk.Text, "expired on 2026-10-31") {
				t.Errorf("patches-current risk = %+v", r.AcceptedRisk)
			}
		}
	}
	// The expired risk counts for nothing: the outcomes are those of a
	// practice file without it.
	without := testPractice()
	without.Risks = without.Risks[:1]
	other := buildProfile(t, name)
	ApplyPractice(other, "practice.yaml", without, nil, practiceNow)
	for i, s := range rep.Standards {
		if s.Outcome != other.Standards[i].Outcome {
			t.Errorf("standard %d: %s with the expired risk, %s without it", s.Number, s.Outcome, other.Standards[i].Outcome)
		}
	}
}

func checkAttested(t *testing.T, rep *Report) {
	t.Helper()
	s2, s3 := rep.Standards[1], rep.Standards[2]
	if s3.Outcome != standards.Met || len(s3.Attestations) != 1 || s3.Attestations[0].Text != "met: attested by Practice Manager on 2026-05-02, not machine-verified" {
		t.Errorf("standard 3 = %s %+v", s3.Outcome, s3.Attestations)
	}
	if s2.Outcome == standards.Met || !slices.Contains(s2.Outstanding, "2.1.1") {
		t.Errorf("standard 2 with an expired attestation: %s, outstanding %q", s2.Outcome, s2.Outstanding)
	}
	if a := s2.Attestations[0]; !a.Expired || a.Counts || !strings.Contains(a.Text, "expired") {
		t.Errorf("expired attestation shown as %+v", a)
	}
	if s10 := rep.Standards[9]; s10.Outcome != standards.Approaching {
		t.Errorf("standard 10 attested partly: %s", s10.Outcome)
	}
}

// TestActionPlanFirst works out, independently of the plan, which single
// action gains most: each failing or unread check made to pass and each
// outstanding item answered, the report judged again through ApplyPractice.
func TestActionPlanFirst(t *testing.T) {
	p := testPractice()
	for _, name := range profileNames(t) {
		t.Run(name, func(t *testing.T) {
			rep := buildProfile(t, name)
			ApplyPractice(rep, "practice.yaml", p, nil, practiceNow)
			best, bestKey := "", [3]int{}
			try := func(label string, rep *Report, after *Report, severity standards.Severity) {
				steps, points := 0, 0
				for i, s := range rep.Standards {
					steps += OutcomeRank(after.Standards[i].Outcome) - OutcomeRank(s.Outcome)
					points += scorePoints(after.Standards[i].Score) - scorePoints(s.Score)
				}
				key := [3]int{steps, points, int(severity)}
				if (steps > 0 || points > 0) && (best == "" || cmp.Compare(key[0], bestKey[0]) > 0 ||
					key[0] == bestKey[0] && (key[1] > bestKey[1] || key[1] == bestKey[1] && (key[2] > bestKey[2] || key[2] == bestKey[2] && label < best))) {
					best, bestKey = label, key
				}
			}
			for i, r := range rep.Results {
				if r.Status == standards.Pass || r.Status == standards.NotApplicable {
					continue
				}
				after := cloneReport(rep)
				after.Results[i].Status = standards.Pass
				ApplyPractice(after, "practice.yaml", p, nil, practiceNow)
				try(r.ID, rep, after, r.Severity)
			}
			for _, s := range rep.Standards {
				for _, id := range s.Outstanding {
					answered := *p
					answered.Attestations = append(slices.Clone(p.Attestations), standards.Attestation{Item: id, Standard: s.Number, Answer: standards.AnswerMet})
					after := cloneReport(rep)
					ApplyPractice(after, "practice.yaml", &answered, nil, practiceNow)
					try(id, rep, after, 0)
				}
			}
			if best == "" {
				if len(rep.ActionPlan) != 0 {
					t.Errorf("no action gains anything, but the plan is %+v", rep.ActionPlan)
				}
				return
			}
			if len(rep.ActionPlan) == 0 {
				t.Fatalf("empty plan; %s gains %v", best, bestKey)
			}
			first := rep.ActionPlan[0]
			if first.Check+first.Item != best || first.Steps != bestKey[0] || first.Points != bestKey[1] {
				t.Errorf("first action %q (%d steps, %d points); independently %q %v", first.Text, first.Steps, first.Points, best, bestKey)
			}
		})
	}
}

func TestApplyPracticeProblem(t *testing.T) {
	rep := buildProfile(t, "win10-1607-wannacry-era")
	plain := buildProfile(t, "win10-1607-wannacry-era")
	ApplyPractice(rep, `\\server\dspt\practice.yaml`, nil, errors.New("line 12: unknown key \"anwser\""), practiceNow)
	if rep.Practice == nil || rep.Practice.Used || !strings.Contains(rep.Practice.Problem, "line 12") {
		t.Errorf("practice use = %+v", rep.Practice)
	}
	if rep.Outcome != plain.Outcome || !slices.EqualFunc(rep.Standards, plain.Standards, func(a, b StandardResult) bool { return a.Outcome == b.Outcome }) {
		t.Error("a practice file that could not be used changed the outcomes")
	}
	if !slices.ContainsFunc(rep.DataNotes, func(n string) bool { return strings.Contains(n, "was not used") }) {
		t.Errorf("notes %q do not say the file was not used", rep.DataNotes)
	}
}

// itemsOf keeps a check's current toolkit items that the item list knows,
// once each, in order: an item a data file dropped is never named.
func TestItemsOf(t *testing.T) {
	items := dsptData()
	tests := []struct {
		dspt []string
		want []string
	}{
		{[]string{"4.4.1", "4.3.1"}, []string{"4.4.1", "4.3.1"}},
		{[]string{"8.1.4", "8.1.4", "8.2.1"}, []string{"8.1.4", "8.2.1"}},
		{[]string{"9.9.9"}, nil},
		{nil, nil},
	}
	for _, tt := range tests {
		if got := itemsOf(standards.Mappings{DSPTItems: tt.dspt}, items); !slices.Equal(got, tt.want) {
			t.Errorf("itemsOf(%q) = %q, want %q", tt.dspt, got, tt.want)
		}
	}
}

// cloneReport copies what ApplyPractice changes.
func cloneReport(rep *Report) *Report {
	c := *rep
	c.Results = slices.Clone(rep.Results)
	c.Standards = slices.Clone(rep.Standards)
	return &c
}

func TestRiskLabelled(t *testing.T) {
	rep := buildProfile(t, "win10-1607-wannacry-era")
	ApplyPractice(rep, "practice.yaml", testPractice(), nil, practiceNow)
	labelled := map[string]bool{}
	for _, r := range rep.Results {
		if r.AcceptedRisk != nil {
			labelled[r.ID] = r.AcceptedRisk.Expired
		}
	}
	if expired, ok := labelled["os-supported"]; !ok || expired {
		t.Errorf("os-supported on GP-OLD-SCANNER not labelled with its unexpired risk: %v", labelled)
	}
	if expired, ok := labelled["patches-current"]; !ok || !expired {
		t.Errorf("patches-current on GP-OLD-SCANNER not labelled expired: %v", labelled)
	}
}

// TestNoUnconfirmedInReports renders a profile in every format and
// requires no "unconfirmed" note from the catalogue in any of them.
func TestNoUnconfirmedInReports(t *testing.T) {
	if got := DSPTRefs(standards.Mappings{DSPT: []string{"9.5 (secure configuration; item number unconfirmed)", "9.x (item numbers unconfirmed)", "8.3.1 (v8 GP)"}}); !slices.Equal(got, []string{"9.5 (secure configuration)", "9.x", "8.3.1 (v8 GP)"}) {
		t.Errorf("DSPTRefs = %q", got)
	}
	rep := buildProfile(t, "win11-pro-25h2-public-firewall-off-by-gpo")
	ApplyPractice(rep, "practice.yaml", testPractice(), nil, practiceNow)
	for _, f := range Formats() {
		if f.Name == "xlsx" {
			continue // binary; its text is checked in TestXLSX
		}
		var b strings.Builder
		if err := f.Write(&b, rep); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(b.String()), "unconfirmed") {
			t.Errorf("%s output says unconfirmed", f.Name)
		}
	}
}

// TestPracticeInWorkbookAndPage finds page 1's practice lines in the
// workbook's Summary and the HTML page.
func TestPracticeInWorkbookAndPage(t *testing.T) {
	rep := buildProfile(t, "win10-1607-wannacry-era")
	ApplyPractice(rep, "practice.yaml", testPractice(), nil, practiceNow)
	var out bytes.Buffer
	if err := XLSX(&out, rep); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(sheetSummary)
	summary := strings.Join(flatten(rows), "|")
	var page strings.Builder
	if err := HTML(&page, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		rep.Evidenced.String(),
		"1. " + rep.ActionPlan[0].Text,
		"3.2.1 met: attested by Practice Manager on 2026-05-02, not machine-verified",
		"Riverside Surgery Y12345 (practice.yaml)",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("Summary sheet lacks %q", want)
		}
		if !strings.Contains(html.UnescapeString(page.String()), strings.TrimPrefix(want, "1. ")) {
			t.Errorf("HTML page lacks %q", want)
		}
	}
	if !strings.Contains(html.UnescapeString(page.String()), "risk accepted by IT Lead until 2027-03-31") {
		t.Error("HTML page does not label the accepted risk")
	}
}

// TestRecountEarlierRule reads a result as the earlier scoring rule wrote
// it: scored again without a note, while the same file with another score
// is still noted.
func TestRecountEarlierRule(t *testing.T) {
	data, err := standards.Load()
	if err != nil {
		t.Fatal(err)
	}
	ndg := data.NDG.Standards
	rep := buildProfile(t, "win11-enterprise-24h2-non-admin")
	o, s := byRule1(ndg, findingsOf(rep.Results))
	if sameScore(s, rep.Score) && o == rep.Outcome {
		t.Fatal("the profile scores alike by both rules; pick one with undetermined checks")
	}
	old := cloneReport(rep)
	old.Outcome, old.Score, old.ScoringRule = o, s, scoringRule1
	got, err := Recount(old, ndg)
	if err != nil || got.Differs || len(got.Notes) != 0 {
		t.Errorf("a result of the earlier rule: %+v, %v", got, err)
	}
	forged := cloneReport(rep)
	forged.Outcome, forged.Score, forged.ScoringRule = standards.Met, s, scoringRule1
	if got, _ := Recount(forged, ndg); !got.Differs {
		t.Error("a result claiming Met under the earlier rule's text is not noted")
	}
}
