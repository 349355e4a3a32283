package fleet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// Formats lists the roll-up's file formats: the report's names and
// extensions, so the same flags pick them.
func Formats() []report.Format[*Rollup] {
	return []report.Format[*Rollup]{
		{Name: "json", Exts: []string{".json"}, Doc: "the roll-up as one JSON document (hosts streamed)", Write: JSON},
		{Name: "xlsx", Exts: []string{".xlsx"}, Binary: true, Doc: "Excel workbook: Summary with charts, Hosts, Checks, Host checks, Skipped", Write: XLSX},
		{Name: "html", Exts: []string{".html", ".htm"}, Doc: "one self-contained, printable page", Write: HTML},
		{Name: "csv", Exts: []string{".csv"}, Doc: "the per-host table, RFC 4180", Write: CSV},
		{Name: "ocsf", Exts: []string{".ndjson", ".jsonl"}, Doc: "every host's newest findings as OCSF events, one per line, for a SIEM", Write: OCSF},
	}
}

// jsonHead is the roll-up document before its hosts and skipped files,
// which are streamed after it.
type jsonHead struct {
	Kind           string            `json:"kind"`
	SchemaVersion  int               `json:"schema_version"`
	Tool           report.Tool       `json:"tool"`
	GeneratedAt    time.Time         `json:"generated_at"`
	Sources        []string          `json:"sources"`
	StaleAfterDays int               `json:"stale_after_days"`
	Rule           string            `json:"rule"`
	Outcome        string            `json:"outcome"`
	FilesSeen      int               `json:"files_seen"`
	ResultsRead    int               `json:"results_read"`
	Superseded     int               `json:"superseded"`
	Ties           int               `json:"tied_not_counted"`
	HostCount      int               `json:"host_count"`
	Recounted      int               `json:"hosts_recounted"`
	UnknownChecks  int               `json:"hosts_with_unknown_checks"`
	StaleHosts     int               `json:"stale_hosts"`
	TrustChecked   bool              `json:"trust_checked"`
	Trust          string            `json:"trust"`
	Untrusted      []Untrusted       `json:"not_counted"`
	NewlyTrusted   []Pin             `json:"newly_trusted,omitempty"`
	Unaccounted    []Unaccounted     `json:"pinned_without_result,omitempty"`
	HostOutcomes   []jsonOutcome     `json:"host_outcomes"`
	Standards      []jsonStandard    `json:"standards"`
	Checks         []jsonCheck       `json:"checks"`
	PracticeFile   string            `json:"practice_file,omitempty"`
	Evidenced      *report.Evidenced `json:"evidenced,omitempty"`
	AcceptedRisks  []RiskUse         `json:"accepted_risks,omitempty"`
	ActionPlan     []report.Action   `json:"action_plan,omitempty"`
	// Exploited are the exploited flaws hosts are still open to, most
	// hosts first.
	Exploited []*ExploitedTally `json:"exploited_flaws_open"`
	// Custom is what the hosts' results say of custom checks.
	Custom *CustomRollup `json:"custom_checks,omitempty"`
}

type jsonOutcome struct {
	Outcome standards.Outcome `json:"outcome"`
	Hosts   int               `json:"hosts"`
	Stale   int               `json:"stale"`
}

type jsonStandard struct {
	Number       int               `json:"number"`
	Title        string            `json:"title"`
	Assessed     int               `json:"hosts_assessed"`
	Met          int               `json:"met"`
	Approaching  int               `json:"approaching"`
	NotMet       int               `json:"not_met"`
	StaleMet     int               `json:"met_but_stale"`
	MetCurrent   int               `json:"met_current"`
	ShareMeeting *float64          `json:"share_meeting"`
	Outcome      standards.Outcome `json:"outcome"`
	NotMetHosts  []string          `json:"not_met_hosts,omitempty"`
	// HostsOutcome is the hosts' own outcome; Attested the practice
	// file's, judged once; Outcome combines the two.
	HostsOutcome standards.Outcome `json:"hosts_outcome"`
	Attested     *jsonAttested     `json:"attested,omitempty"`
}

// jsonAttested is what the practice file's answers give one standard.
type jsonAttested struct {
	Outcome     standards.Outcome `json:"outcome"`
	Counted     int               `json:"answers_counted"`
	Outstanding []string          `json:"outstanding,omitempty"`
	Text        string            `json:"text,omitempty"`
}

type jsonCheck struct {
	ID            string             `json:"id"`
	Title         string             `json:"title"`
	Severity      standards.Severity `json:"severity"`
	Hosts         int                `json:"hosts"`
	Pass          int                `json:"pass"`
	Warn          int                `json:"warn"`
	Fail          int                `json:"fail"`
	Unknown       int                `json:"unknown"`
	NeedsAdmin    int                `json:"needs_admin"`
	NotApplicable int                `json:"not_applicable"`
	Applicable    int                `json:"applicable_hosts"`
	FailingShare  *float64           `json:"failing_share"`
}

type jsonHost struct {
	Name          string                    `json:"name"`
	OS            string                    `json:"os"`
	Platform      string                    `json:"platform"`
	ID            string                    `json:"id,omitempty"`
	ScannedAt     time.Time                 `json:"scanned_at"`
	AgeDays       int                       `json:"age_days"`
	Stale         bool                      `json:"stale"`
	Outcome       standards.Outcome         `json:"outcome"`
	Score         *int                      `json:"score"`
	Failing       int                       `json:"failing"`
	Unsure        int                       `json:"could_not_tell"`
	Worst         string                    `json:"worst_failing_severity,omitempty"`
	Standards     map[int]standards.Outcome `json:"standards"`
	Checks        map[string]string         `json:"checks"`
	ToolVersion   string                    `json:"tool_version"`
	SchemaVersion int                       `json:"schema_version"`
	Results       int                       `json:"results_read"`
	SharedName    bool                      `json:"shared_name,omitempty"`
	UnknownChecks int                       `json:"unknown_checks,omitempty"`
	ExploitedOpen int                       `json:"exploited_flaws_open"`
	Exploited     []string                  `json:"exploited_flaws,omitempty"`
	SincePrevious string                    `json:"worse_since_previous,omitempty"`
	Notes         []string                  `json:"notes,omitempty"`
	Ties          int                       `json:"tied_not_counted,omitempty"`
	TiedWith      []string                  `json:"tied_with,omitempty"`
	File          string                    `json:"file"`
}

// JSON writes the roll-up as one JSON document. Hosts are written one at a
// time, so the document is never held whole in memory.
func JSON(w io.Writer, r *Rollup) error {
	head, err := json.Marshal(r.jsonHead())
	if err != nil {
		return err
	}
	bw := &errWriter{w: w}
	bw.Write(head[:len(head)-1])
	bw.Write([]byte(`,"hosts":[`))
	enc := json.NewEncoder(bw)
	for i, h := range r.Hosts {
		if i > 0 {
			bw.Write([]byte(","))
		}
		bw.Write([]byte("\n"))
		if err := enc.Encode(r.jsonHost(h)); err != nil {
			return err
		}
	}
	bw.Write([]byte("],\n\"skipped\":"))
	skipped := r.Skipped
	if skipped == nil {
		skipped = []Skipped{}
	}
	if err := enc.Encode(skipped); err != nil {
		return err
	}
	bw.Write([]byte("}\n"))
	return bw.err
}

// errWriter keeps the first write error, so a run of writes is checked once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (r *Rollup) jsonHead() jsonHead {
	head := jsonHead{
		Kind: Kind, SchemaVersion: 1, Tool: r.Tool, GeneratedAt: r.GeneratedAt.UTC(), Sources: r.Sources,
		StaleAfterDays: r.StaleDays(), Rule: r.RuleText(), Outcome: string(r.Outcome),
		FilesSeen: r.FilesSeen, ResultsRead: r.ResultsRead, Superseded: r.Superseded, Ties: r.Ties,
		HostCount: len(r.Hosts), StaleHosts: r.Stale(), Recounted: r.Recounted, UnknownChecks: r.UnknownChecks,
		TrustChecked: r.TrustChecked, Trust: trustFact(r), Untrusted: r.Untrusted, NewlyTrusted: r.Pinned, Unaccounted: r.Unaccounted,
	}
	head.AcceptedRisks, head.ActionPlan, head.Evidenced = r.Risks, r.ActionPlan, r.Evidenced
	if r.Practice != nil {
		head.PracticeFile = r.Practice.File
	}
	if head.Untrusted == nil {
		head.Untrusted = []Untrusted{}
	}
	head.Exploited, head.Custom = r.Exploited, r.Custom
	if head.Exploited == nil {
		head.Exploited = []*ExploitedTally{}
	}
	for _, o := range r.HostOutcomes() {
		head.HostOutcomes = append(head.HostOutcomes, jsonOutcome(o))
	}
	for _, s := range r.Standards {
		js := jsonStandard{
			Number: s.Number, Title: s.Title, Assessed: s.Assessed, Met: s.Met, Approaching: s.Approaching,
			NotMet: s.NotMet, StaleMet: s.StaleMet, MetCurrent: s.MetCurrent(), Outcome: s.Outcome, NotMetHosts: s.NotMetHosts,
			HostsOutcome: s.HostsOutcome,
		}
		if r.Practice != nil {
			js.Attested = &jsonAttested{Outcome: s.Attested.Outcome, Counted: s.Attested.Counted, Outstanding: s.Attested.Outstanding, Text: s.AttestedText}
		}
		if share := s.Share(); share >= 0 {
			js.ShareMeeting = &share
		}
		head.Standards = append(head.Standards, js)
	}
	for _, c := range r.Checks {
		jc := jsonCheck{
			ID: c.ID, Title: c.Title, Severity: c.Severity, Hosts: c.Hosts(),
			Pass: c.Count(standards.Pass), Warn: c.Count(standards.Warn), Fail: c.Count(standards.Fail),
			Unknown: c.Count(standards.Unknown), NeedsAdmin: c.Count(standards.NeedsAdmin), NotApplicable: c.Count(standards.NotApplicable),
			Applicable: c.Applicable(),
		}
		if share := c.FailingShare(); share >= 0 {
			jc.FailingShare = &share
		}
		head.Checks = append(head.Checks, jc)
	}
	return head
}

func (r *Rollup) jsonHost(h *Host) jsonHost {
	jh := jsonHost{
		Name: h.Name, OS: h.OS, Platform: h.Platform, ID: h.ID, ScannedAt: h.ScannedAt.UTC(),
		AgeDays: h.AgeDays(r.GeneratedAt), Stale: h.Stale, Outcome: h.Outcome, Failing: h.Failing, Unsure: h.Unsure,
		Worst: severityText(h.Worst), Standards: map[int]standards.Outcome{}, Checks: map[string]string{},
		ToolVersion: h.ToolVersion, SchemaVersion: h.Schema, Results: h.Results, SharedName: h.SharedName,
		UnknownChecks: h.UnknownChecks, Notes: h.Notes, File: h.File, Ties: h.Ties, TiedWith: h.TiedWith,
		ExploitedOpen: len(h.Exploited), Exploited: h.Exploited, SincePrevious: h.SincePrevious,
	}
	if tie := h.TieNote(); tie != "" {
		jh.Notes = append(slices.Clip(jh.Notes), tie)
	}
	if h.Score >= 0 {
		jh.Score = &h.Score
	}
	for _, s := range r.Standards {
		if o := h.StandardOutcome(s.Number); o != standards.NotAssessed {
			jh.Standards[s.Number] = o
		}
	}
	for _, c := range r.Checks {
		if s, ok := h.Status(c); ok {
			jh.Checks[c.ID] = s.String()
		}
	}
	return jh
}

// csvHeader is the per-host table's header.
var csvHeader = []string{"host", "os", "platform", "last_scan_utc", "age_days", "stale", "outcome", "score",
	"failing_checks", "worst_failing_severity", "could_not_tell", "tool_version", "note", "file"}

// CSV writes the per-host table, worst first.
func CSV(w io.Writer, r *Rollup) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, u := range r.Untrusted {
		row := make([]string, len(csvHeader))
		row[0], row[6], row[12], row[13] = u.HostName, "Not counted: untrusted", u.Reason, u.Path
		for i := range row {
			row[i] = report.CellText(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	for _, h := range r.Hosts {
		score := ""
		if h.Score >= 0 {
			score = strconv.Itoa(h.Score)
		}
		stale := "no"
		if h.Stale {
			stale = "yes"
		}
		row := []string{h.Name, h.OS, h.Platform, h.ScannedAt.UTC().Format(time.RFC3339), strconv.Itoa(h.AgeDays(r.GeneratedAt)),
			stale, string(h.Outcome), score, strconv.Itoa(h.Failing), severityText(h.Worst), strconv.Itoa(h.Unsure),
			h.ToolVersion, h.Note(), h.File}
		for i := range row {
			row[i] = report.CellText(report.Shown(row[i]))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// OCSF writes every host's newest result as OCSF Compliance Finding events,
// one per check and line. Each newest result is read again from its file
// (several at once, written in the hosts' order), so the output is as large
// as the SOC needs while memory stays that of a few reports. The second
// reading decodes and recounts exactly as the first did, and is checked to
// be the same bytes: a file that changed since is left out of the events
// and listed in r.Skipped, and the others are still written.
func OCSF(w io.Writer, r *Rollup) error {
	rd := reader{ndg: r.ndg, now: r.GeneratedAt, practice: r.Practice}
	for i, chunk := range inOrder(context.Background(), len(r.Hosts), 0, func(i int) ocsfChunk { return rd.ocsfEvents(r.Hosts[i]) }) {
		if chunk.skip != "" {
			r.Skipped = append(r.Skipped, Skipped{r.Hosts[i].File, chunk.skip})
			continue
		}
		if chunk.err != nil {
			return chunk.err
		}
		if _, err := w.Write(chunk.events); err != nil {
			return err
		}
	}
	return nil
}

// ocsfChunk is one host's events, or why they could not be made.
type ocsfChunk struct {
	events []byte
	skip   string // why the host's file is left out
	err    error
}

func (rd reader) ocsfEvents(h *Host) ocsfChunk {
	b, reason := readBounded(h.File)
	if reason != "" || sha256.Sum256(b) != h.digest {
		return ocsfChunk{skip: "read again for the OCSF events, it had changed since the roll-up read it" + parenthesised(reason) + ": its events are left out; roll up again"}
	}
	rep, _, err := rd.report(b, true)
	if err != nil {
		return ocsfChunk{err: fmt.Errorf("%s: the same bytes decoded once and not again: %w", h.File, err)}
	}
	rep.Outcome = h.Outcome // the host's own, as the roll-up shows it: the practice's answers are the practice's
	var buf bytes.Buffer
	err = report.OCSF(&buf, rep)
	return ocsfChunk{events: buf.Bytes(), err: err}
}

func parenthesised(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}
