package fleet

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

func fleetPractice() *standards.Practice {
	att := func(item string, std int, answer standards.Answer, owner, next string) standards.Attestation {
		return standards.Attestation{Item: item, Standard: std, Answer: answer, Owner: owner,
			Reviewed: standards.MustDate("2026-05-02"), NextReview: standards.MustDate(next)}
	}
	return &standards.Practice{
		Name: "Riverside Surgery", ODS: "Y12345", File: "practice.yaml",
		Attestations: []standards.Attestation{
			att("3.2.1", 3, standards.AnswerMet, "Practice Manager", "2027-05-01"),
			att("2.1.1", 2, standards.AnswerMet, "Practice Manager", "2026-11-01"),
			att("2.2.1", 2, standards.AnswerMet, "Practice Manager", "2027-05-01"),
			att("8.3.8", 8, standards.AnswerMet, "IT Lead", "2027-05-01"),
		},
		Risks: []standards.AcceptedRisk{
			{Check: "os-supported", Hosts: []string{"GP-*"}, Reason: "spirometry", CompensatingControls: "separate VLAN",
				Owner: "IT Lead", ApprovedBy: "Caldicott Guardian", Expires: standards.MustDate("2027-03-31")},
			{Check: "patches-current", Hosts: []string{"GP-*", "vm"}, Reason: "supplier validation",
				Owner: "IT Lead", ApprovedBy: "Caldicott Guardian", Expires: standards.MustDate("2026-10-31")},
		},
		Assets: []standards.Asset{{Name: "EMIS server", Kind: "server"}},
	}
}

// writeProfiles writes every profile's result, changed by edit, to a new
// folder.
func writeProfiles(t *testing.T, edit func(rep map[string]any)) string {
	t.Helper()
	dir := tempDir(t)
	for i, doc := range profileJSON(t) {
		path := filepath.Join(dir, fmt.Sprintf("%02d.json", i))
		if edit == nil {
			writeFile(t, path, doc)
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(doc, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		writeJSON(t, path, m)
	}
	return dir
}

func practiceRollup(t *testing.T, dir string, p *standards.Practice) *Rollup {
	t.Helper()
	roll, err := Read(context.Background(), []string{dir}, Options{
		Tool: report.Tool{Name: "dspt-audit", Version: "test"}, Now: genNow, StaleAfter: 5 * 365 * 24 * time.Hour,
		Standards: ndgStandards(t), Practice: p,
	})
	if err != nil {
		t.Fatal(err)
	}
	return roll
}

func TestPracticeRollupRisks(t *testing.T) {
	dir := writeProfiles(t, nil)
	p := fleetPractice()
	roll := practiceRollup(t, dir, p)
	if len(roll.Risks) != 2 {
		t.Fatalf("risks = %+v", roll.Risks)
	}
	accepted, expired := roll.Risks[0], roll.Risks[1]
	if accepted.Expired || accepted.DaysLeft != 128 || !slices.Contains(accepted.Failing, "GP-OLD-SCANNER") || slices.Contains(accepted.Covered, "vm") {
		t.Errorf("os-supported risk = %+v", accepted)
	}
	if !expired.Expired || expired.DaysLeft != 0 || !slices.Contains(expired.Covered, "vm") || !strings.Contains(expired.Text(), "expired on 2026-10-31") {
		t.Errorf("patches-current risk = %+v, %s", expired, expired.Text())
	}
	for _, u := range roll.Risks {
		for _, name := range u.Failing {
			if !slices.Contains(u.Covered, name) {
				t.Errorf("%s: %s fails but is not covered", u.Check, name)
			}
		}
	}

	// No accepted risk leaves a host's standard Met.
	os := roll.checkTally("os-supported")
	for _, h := range roll.Hosts {
		if s, ok := h.Status(os); ok && s == standards.Fail && strings.HasPrefix(h.Name, "GP-") {
			for _, n := range os.ndg {
				if h.StandardOutcome(n) == standards.Met {
					t.Errorf("%s: standard %d Met with an accepted failure", h.Name, n)
				}
			}
		}
	}

	// The expired risk counts as an ordinary failure: the same outcomes as
	// a practice file without it.
	without := fleetPractice()
	without.Risks = without.Risks[:1]
	other := practiceRollup(t, dir, without)
	for i, s := range roll.Standards {
		if s.Outcome != other.Standards[i].Outcome || s.Met != other.Standards[i].Met {
			t.Errorf("standard %d: %s (%d met) with the expired risk, %s (%d met) without", s.Number, s.Outcome, s.Met, other.Standards[i].Outcome, other.Standards[i].Met)
		}
	}
	var b strings.Builder
	if err := JSON(&b, roll); err != nil || !strings.Contains(b.String(), `"accepted_risks"`) || !strings.Contains(b.String(), `"action_plan"`) {
		t.Errorf("JSON roll-up lacks the practice's figures (%v)", err)
	}
}

// TestPracticeRollupActionPlan works out the best single action by
// rewriting the results folder (each check passing on every host where it
// did not, each outstanding item answered) and rolling it up again. It
// rolls up dozens of folders one after another, so it runs without -race
// only: Read's concurrency is the race detector's in the other tests.
func TestPracticeRollupActionPlan(t *testing.T) {
	if underRace(t) {
		t.Skip("dozens of roll-ups in turn, with no concurrency of their own")
	}
	p := fleetPractice()
	roll := practiceRollup(t, writeProfiles(t, nil), p)
	if len(roll.ActionPlan) == 0 {
		t.Fatal("no action plan")
	}
	type gain struct {
		label                string
		steps, points, sever int
	}
	var best *gain
	try := func(label string, after *Rollup, severity int) {
		g := gain{label: label, sever: severity}
		for i, s := range roll.Standards {
			g.steps += report.OutcomeRank(after.Standards[i].Outcome) - report.OutcomeRank(s.Outcome)
			g.points += after.Standards[i].Met - s.Met
		}
		if g.steps <= 0 && g.points <= 0 {
			return
		}
		if best == nil || cmp.Or(cmp.Compare(g.steps, best.steps), cmp.Compare(g.points, best.points), cmp.Compare(g.sever, best.sever), cmp.Compare(best.label, g.label)) > 0 {
			best = &g
		}
	}
	// A fix passes the check where it fails or warns; finding it out,
	// where it could not be determined. Each is tried on exactly those
	// hosts, and every candidate's gain must be what rolling the
	// rewritten folder up again gives.
	candidates := map[string]report.Action{}
	for _, a := range roll.candidates() {
		candidates[a.Kind+" "+a.Check+a.Item] = a
	}
	for _, c := range roll.Checks {
		for kind, statuses := range map[string][]string{"fix": {"fail", "warn"}, "find out": {"unknown", "needs_admin"}} {
			affected := 0
			for _, st := range statuses {
				var s standards.Status
				if err := s.UnmarshalText([]byte(st)); err != nil {
					t.Fatal(err)
				}
				affected += c.Count(s)
			}
			if affected == 0 {
				// Nothing to rewrite: the folder would roll up as it is.
				if a, kept := candidates[kind+" "+c.ID]; kept {
					t.Errorf("%s %s is a candidate on no PC: %+v", kind, c.ID, a)
				}
				continue
			}
			fixed := writeProfiles(t, func(rep map[string]any) {
				for _, r := range rep["results"].([]any) {
					r := r.(map[string]any)
					if r["id"] == c.ID && slices.Contains(statuses, r["status"].(string)) {
						r["status"] = "pass"
					}
				}
			})
			after := practiceRollup(t, fixed, p)
			try(kind+" "+c.ID, after, int(c.Severity))
			steps, points := 0, 0
			for i, s := range roll.Standards {
				steps += report.OutcomeRank(after.Standards[i].Outcome) - report.OutcomeRank(s.Outcome)
				points += after.Standards[i].Met - s.Met
			}
			a, kept := candidates[kind+" "+c.ID]
			switch {
			case kept && (a.Steps != steps || a.Points != points):
				t.Errorf("%s %s: %d steps, %d points; rolled up again: %d, %d", kind, c.ID, a.Steps, a.Points, steps, points)
			case !kept && (steps > 0 || points > 0):
				t.Errorf("%s %s left out; rolled up again it gains %d steps, %d points", kind, c.ID, steps, points)
			}
		}
	}
	attested := report.PracticeOutcomes(roll.ndg, p, roll.GeneratedAt)
	plain := writeProfiles(t, nil)
	for _, s := range roll.ndg {
		for _, id := range attested[s.Number].Outstanding {
			answered := *p
			answered.Attestations = append(slices.Clone(p.Attestations), standards.Attestation{Item: id, Standard: s.Number, Answer: standards.AnswerMet})
			try("answer "+id, practiceRollup(t, plain, &answered), 0)
		}
	}
	first := roll.ActionPlan[0]
	if best == nil || first.Kind+" "+first.Check+first.Item != best.label || first.Steps != best.steps || first.Points != best.points {
		t.Errorf("first action %q (%d steps, %d points); independently %+v", first.Text, first.Steps, first.Points, best)
	}
	if first.Kind == "fix" && !strings.Contains(first.Text, fmt.Sprintf("on %d PC", first.Hosts)) {
		t.Errorf("a fleet action does not say on how many PCs: %q", first.Text)
	}
}

// TestPracticePack finds the DSPT sheet and section in the roll-up's
// workbook and page: one row per toolkit item, the risk-accepted failure
// of 8.1.4 a gap, no "unconfirmed" anywhere.
func TestPracticePack(t *testing.T) {
	roll := practiceRollup(t, writeProfiles(t, nil), fleetPractice())
	var out bytes.Buffer
	if err := XLSX(&out, roll); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(sheetDSPT)
	if len(rows) != len(report.DSPTItems())+1 {
		t.Fatalf("DSPT sheet has %d rows, want %d", len(rows), len(report.DSPTItems())+1)
	}
	found := false
	for _, row := range rows[1:] {
		if row[0] == "8.1.4" {
			found = true
			if row[5] != report.ItemGap || !strings.Contains(row[6], "os-supported fails on") || !strings.Contains(row[6], "Planned action: ") {
				t.Errorf("8.1.4 row = %q", row)
			}
		}
		if row[0] == "3.2.1" && (row[5] != report.ItemEvidenced || !strings.Contains(row[6], "not machine-verified")) {
			t.Errorf("3.2.1 row = %q", row)
		}
	}
	if !found {
		t.Error("no row for 8.1.4")
	}
	// Evidence counts worked out from the profiles' own reports: standards
	// 2, 3 and 8 have counted answers in the practice file.
	var want report.Evidenced
	for _, s := range ndgStandards(t) {
		machine := slices.ContainsFunc(profileReports(t), func(rep *report.Report) bool {
			return rep.Standards[s.Number-1].Outcome != standards.NotAssessed
		})
		attested := s.Number == 2 || s.Number == 3 || s.Number == 8
		if machine {
			want.Machine++
		}
		if attested {
			want.Attestation++
		}
		if machine && attested {
			want.Both++
		}
		if !machine && !attested {
			want.None++
		}
	}
	if *roll.Evidenced != want {
		t.Errorf("evidenced %+v, want %+v", *roll.Evidenced, want)
	}
	var page strings.Builder
	if err := HTML(&page, roll); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DSPT evidence items", "Action plan", "Accepted risks", "128 days left", "Evidence: " + roll.Evidenced.String()} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("roll-up page lacks %q", want)
		}
	}
	for _, sheet := range f.GetSheetList() {
		rows, _ := f.GetRows(sheet)
		for _, row := range rows {
			if strings.Contains(strings.ToLower(strings.Join(row, "|")), "unconfirmed") {
				t.Errorf("%s says unconfirmed: %q", sheet, row)
			}
		}
	}
}
