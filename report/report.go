// Package report turns a scan into what people read: the JSON contract, the
// terminal view, and the files they are written to. It never probes.
package report

import (
	"fmt"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// SchemaVersion is the version of the JSON report. Fields are only ever
// added within a version; a removal or change of meaning bumps it.
const SchemaVersion = 1

// Report is the stable JSON contract of one machine's scan.
type Report struct {
	SchemaVersion int       `json:"schema_version"`
	Tool          Tool      `json:"tool"`
	Host          Host      `json:"host"`
	ScannedAt     time.Time `json:"scanned_at"`
	JudgedAt      time.Time `json:"judged_at"`
	// GeneratedAt is when this report was rendered (zero: not recorded);
	// the result's age is measured to it.
	GeneratedAt time.Time `json:"generated_at,omitzero"`
	Source      string    `json:"source"`
	// Collector names the program that recorded a replayed snapshot (as the
	// snapshot says); empty for a live scan.
	Collector string `json:"collector,omitempty"`
	// ResultSHA256 is the hash of the saved JSON result a view was rendered
	// from (report convert); never part of the JSON itself.
	ResultSHA256 string                 `json:"-"`
	Data         []standards.Provenance `json:"data"`
	// DataNotes say what a reader of the verdicts should know about the
	// data: stale update data, data-folder files left aside, built-in facts
	// a data file changed.
	DataNotes   []string          `json:"data_notes,omitempty"`
	Outcome     standards.Outcome `json:"outcome"`
	Score       *int              `json:"score"`
	Coverage    float64           `json:"coverage"`
	ScoringRule string            `json:"scoring_rule"`
	Counts      map[string]int    `json:"counts"`
	Standards   []StandardResult  `json:"standards"`
	Results     []CheckResult     `json:"results"`
	// Asset is what an asset register (DSPT 7.1.1) records of the machine:
	// facts, each with its value or why it could not be read; never scored.
	Asset *checks.AssetFacts `json:"asset,omitempty"`
	// Practice is the practice file the report used, or why it could not.
	Practice *PracticeUse `json:"practice,omitempty"`
	// Evidenced counts the 10 standards by what evidences them.
	Evidenced *Evidenced `json:"evidenced,omitempty"`
	// ActionPlan is the few actions that change outcomes most, best first.
	ActionPlan []Action `json:"action_plan,omitempty"`
	// Previous is the same machine's result before this one, as the
	// nightly run found it in the results folder; nil when there was none.
	Previous *Previous `json:"previous,omitempty"`
	// CustomChecks are the checks files the scan loaded and what did not
	// load; nil when no checks file was read.
	CustomChecks *CustomChecks `json:"custom_checks,omitempty"`
}

// Previous is what a result records of the one before it, so that the
// roll-up can say what changed without reading the history.
type Previous struct {
	// ScannedAt, Outcome and Score are empty when it was not compared.
	ScannedAt time.Time         `json:"scanned_at,omitzero"`
	Outcome   standards.Outcome `json:"outcome,omitempty"`
	Score     *int              `json:"score,omitempty"`
	// ResultSHA256 is the hash of the previous result file as read.
	ResultSHA256 string `json:"result_sha256,omitempty"`
	// Regressed and NewFailures name the checks worse than before; Fixed
	// those better (fixed or improved). IDs only: the diff command has the rest.
	Regressed   []string `json:"regressed,omitempty"`
	NewFailures []string `json:"new_failures,omitempty"`
	Fixed       []string `json:"fixed,omitempty"`
	// Note says why the previous result was not compared (another
	// machine's, unreadable), when it was not.
	Note string `json:"note,omitempty"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Commit and BuildDate are stamped into release builds.
	Commit    string `json:"commit,omitempty"`
	BuildDate string `json:"build_date,omitempty"`
	// Development marks a binary not built by the release command: its
	// reports are not evidence.
	Development bool `json:"development,omitempty"`
	// SHA256 is the hash of the program file that scanned.
	SHA256 string `json:"sha256,omitempty"`
}

// Host is the machine scanned.
type Host struct {
	Name     string `json:"name"`
	OS       string `json:"os"`
	Platform string `json:"platform"`
	Arch     string `json:"arch"`
	ID       string `json:"id,omitempty"`
	// RunAs is the account the scan read the machine as.
	RunAs string `json:"run_as,omitempty"`
}

// StandardResult is one NDG standard's score.
type StandardResult struct {
	Number          int               `json:"number"`
	Title           string            `json:"title"`
	Score           *int              `json:"score"`
	Coverage        float64           `json:"coverage"`
	Outcome         standards.Outcome `json:"outcome"`
	Checks          []string          `json:"checks"`
	Failing         []string          `json:"failing,omitempty"`
	MachineEvidence bool              `json:"machine_evidence"`
	// MachineOutcome is the outcome from the machine checks alone; Outcome
	// also weighs the practice file's attestations.
	MachineOutcome standards.Outcome `json:"machine_outcome,omitempty"`
	// EvidencedBy is "machine" and/or "attestation"; empty: nothing.
	EvidencedBy  []string            `json:"evidenced_by,omitempty"`
	Attestations []AttestationResult `json:"attestations,omitempty"`
	// Outstanding are the items needing a person's answer that have no
	// counted "met" (only with a practice file).
	Outstanding []string `json:"outstanding,omitempty"`
}

// CheckResult is one check's verdict with its evidence.
type CheckResult struct {
	ID       string             `json:"id"`
	Title    string             `json:"title"`
	Status   standards.Status   `json:"status"`
	Severity standards.Severity `json:"severity"`
	Summary  string             `json:"summary"`
	// Details list the items behind the summary when there can be many:
	// the exploited flaws a machine is open to.
	Details     []string           `json:"details,omitempty"`
	Mappings    standards.Mappings `json:"mappings"`
	Evidence    []Evidence         `json:"evidence"`
	Remediation string             `json:"remediation"`
	// IfFixed says what passing this check would do to each standard it serves.
	IfFixed []standards.Change `json:"if_fixed,omitempty"`
	// AcceptedRisk labels a failure the practice has accepted; the status
	// stays fail.
	AcceptedRisk *RiskResult `json:"accepted_risk,omitempty"`
	// Origin is the checks file a custom check was loaded from; empty for
	// a built-in check.
	Origin string `json:"origin,omitempty"`
}

// detailsShown is how many details a report shows before folding the rest.
const detailsShown = 10

// DetailsFirst are the details shown at once.
func (r CheckResult) DetailsFirst() []string { return r.Details[:min(len(r.Details), detailsShown)] }

// DetailsRest are the details shown folded.
func (r CheckResult) DetailsRest() []string { return r.Details[min(len(r.Details), detailsShown):] }

// Evidence is one observation a verdict rests on, as a person reads it.
type Evidence struct {
	Source probe.Kind   `json:"source"`
	Query  string       `json:"query"`
	Value  string       `json:"value,omitempty"`
	Error  *probe.Error `json:"error,omitempty"`
}

// Build scores a scan and shapes it into a Report.
func Build(scan *checks.Scan, data *standards.Data, tool Tool, source string) *Report {
	findings := make([]standards.Finding, len(scan.Results))
	for i, r := range scan.Results {
		findings[i] = standards.Finding{CheckID: r.Check.ID, Severity: r.Check.Severity, Status: r.Verdict.Status, NDG: r.Check.Mappings.NDG}
	}
	card := standards.Score(data.NDG.Standards, findings)
	rep := &Report{
		SchemaVersion: SchemaVersion,
		Tool:          tool,
		Host: Host{
			Name:     scan.Host.Hostname,
			OS:       scan.Host.Describe(),
			Platform: scan.Host.OS,
			Arch:     scan.Host.KernelArch,
			ID:       scan.Host.HostID,
			RunAs:    scan.Host.RunAs,
		},
		Collector:   scan.Collector,
		ScannedAt:   scan.ScannedAt,
		JudgedAt:    scan.JudgedAt,
		Source:      source,
		Data:        data.Provenances(),
		DataNotes:   dataNotes(data, scan),
		Outcome:     card.Outcome,
		Score:       card.Score,
		Coverage:    card.Coverage,
		ScoringRule: standards.ScoringRule,
		Counts:      map[string]int{},
		Asset:       scan.Asset,
	}
	rep.Standards = standardResults(card)
	whatIf := standards.NewWhatIf(data.NDG.Standards, findings)
	for i, r := range scan.Results {
		cr := CheckResult{
			ID:          r.Check.ID,
			Title:       r.Check.Title,
			Status:      r.Verdict.Status,
			Severity:    r.Check.Severity,
			Summary:     r.Verdict.Summary,
			Details:     r.Verdict.Details,
			Mappings:    shownMappings(r.Check.Mappings),
			Evidence:    evidence(r.Evidence),
			Remediation: r.Remediation(),
			Origin:      r.Check.Origin,
		}
		if r.Verdict.Status != standards.Pass && r.Verdict.Status != standards.NotApplicable {
			cr.IfFixed = whatIf.IfFixed(i)
		}
		rep.Counts[r.Verdict.Status.String()]++
		rep.Results = append(rep.Results, cr)
	}
	j := judgement{ndg: data.NDG.Standards, items: data.DSPT.Items, now: scan.JudgedAt}
	j.apply(rep, nil, true)
	return rep
}

func evidence(obs []probe.Observation) []Evidence {
	out := make([]Evidence, 0, len(obs))
	for _, o := range obs {
		e := Evidence{Source: o.Kind, Query: o.Query, Error: o.Error}
		if o.Error == nil {
			e.Value = o.Display()
		}
		out = append(out, e)
	}
	return out
}

// dataNotes says what a reader of the verdicts should know about the data
// they rest on.
func dataNotes(data *standards.Data, scan *checks.Scan) []string {
	var notes []string
	if scan.Host.OS == checks.Windows {
		updates := data.WindowsUpdates
		if missing, days, behind := updates.Lag(standards.DayOf(scan.JudgedAt)); behind && updates.Stale(standards.DayOf(scan.JudgedAt)) {
			notes = append(notes, fmt.Sprintf("The Windows update data (as of %s) lacks the security updates of %s, %d days ago: by the data alone a machine patched since cannot be told from one that is not, so patches-current is unknown unless Windows Update itself vouches. Run 'dspt-audit data update', or 'dspt-audit data import' with the month's document.",
				updates.AsOf, missing, days))
		}
	}
	for _, c := range data.Changes {
		notes = append(notes, "A data file changes a built-in fact: "+c.String()+".")
	}
	return append(notes, data.Notes...)
}
