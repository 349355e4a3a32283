// Package fleet rolls many machines' scan results up into one practice
// view: the newest result per host, how many hosts pass or fail each check,
// and the share of hosts meeting each NDG standard with a practice-level
// outcome. Results are read as a stream and only a small summary is kept
// per host, so a share holding 100,000 results fits in memory.
package fleet

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// DefaultStaleAfter is how old a host's newest result may be before the
// host is flagged stale: the threshold every single-host report warns by.
const DefaultStaleAfter = report.StaleAfter

// Rule says, in words, how the practice-level outcome is reached, so that
// a reader can check it by hand. %d is the stale threshold in days.
const Rule = `Each host is judged by its newest result. A standard is Met for the practice when ` +
	`every host whose result assesses it meets it and no such result is older than %d days; ` +
	`Not Met when any host's newest result does not meet it, however old; otherwise Approaching ` +
	`(some host is Approaching, or a result that meets it is stale). Share meeting = hosts meeting ` +
	`the standard by a result no older than %[1]d days / hosts whose result assesses it. Failing share of a check = ` +
	`hosts failing it / hosts it applies to. Overall: Not Met if any standard is Not Met, ` +
	`Met if every assessed standard is Met, otherwise Approaching. With a trust store, a host it pins ` +
	`whose newest files are all untrusted (replaced by one it did not sign) makes the practice Not Met, ` +
	`and a pinned host with no result at all keeps it from Met. With a practice file, each host is judged by its own ` +
	`checks and the accepted risks covering it; the practice file's answers are judged once, for the practice, and a ` +
	`standard's practice outcome combines the hosts' outcome with the attested one as the single-host scoring rule does.`

// Host is what the roll-up keeps of one host: its newest result, in brief.
type Host struct {
	Name        string
	OS          string
	Platform    string
	ID          string
	ToolVersion string
	Schema      int
	File        string // the newest result's file
	ScannedAt   time.Time
	Outcome     standards.Outcome
	Score       int // -1: no score
	Failing     int // checks that failed
	Unsure      int // checks the tool could not determine (unknown, needs_admin)
	Worst       standards.Severity
	Stale       bool
	Results     int // results read for this host, the newest and older ones
	// SharedName is set when results from different machines (by machine
	// ID) carry this host name: cloned PCs overwrite each other's results.
	SharedName bool
	// UnknownChecks counts the newest result's verdicts on checks this
	// build does not know: left out, counted nowhere.
	UnknownChecks int
	// Recounted is set when the file's own outcome or score is not what its
	// verdicts give: the recomputed ones are shown, Notes say what it claimed.
	Recounted bool
	Notes     []string
	// TiedWith names up to MaxNamed files of the host with the same scan
	// time as File, which was counted because its path sorts first; Ties
	// counts them all.
	TiedWith []string
	Ties     int
	// Exploited are the exploited-in-the-wild flaws (CVE or bulletin IDs)
	// the newest result's known-exploits finding lists as open.
	Exploited []string
	// SincePrevious says what got worse since the scan before the newest,
	// as the newest result records it (regressed and newly failing checks);
	// "" when nothing did or the result does not say.
	SincePrevious string
	statuses      []byte // by check index: status+1; 0 = not in this result
	// standards are the host's own outcomes by standard number
	// (outcomeCode): its checks and the accepted risks covering it, never
	// the practice file's answers, which are judged once for the practice.
	standards [11]byte
	digest    [32]byte // of the newest result's bytes, to read them again
	custom    hostCustom
}

// tie records that loser, a result of the host with the same scan time,
// was not counted; a strictly newer result later replaces h with its ties.
func (h *Host) tie(loser *Host) {
	h.Ties += 1 + loser.Ties
	for _, f := range append([]string{loser.File}, loser.TiedWith...) {
		if len(h.TiedWith) < MaxNamed {
			h.TiedWith = append(h.TiedWith, f)
		}
	}
	slices.Sort(h.TiedWith)
}

// TieNote says which of the host's results that tie on scan time was
// counted, and which were not; "" when there was no tie.
func (h *Host) TieNote() string {
	if h.Ties == 0 {
		return ""
	}
	s := fmt.Sprintf("%d results have the same scan time, %s: counted %s (its path sorts first), not %s",
		h.Ties+1, h.ScannedAt.UTC().Format("2006-01-02 15:04:05 UTC"), h.File, strings.Join(h.TiedWith, ", "))
	if more := h.Ties - len(h.TiedWith); more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s + "."
}

// AgeDays is how many whole days old the host's newest result is.
func (h *Host) AgeDays(now time.Time) int { return max(0, int(now.Sub(h.ScannedAt).Hours()/24)) }

// CheckTally is how the hosts' newest results judged one check.
type CheckTally struct {
	ID       string
	Title    string
	Severity standards.Severity
	index    int // position in every host's statuses
	ndg      []int
	items    []string // the current toolkit's items it serves
	counts   [standards.NeedsAdmin + 1]int
}

// Count is how many hosts' newest results gave the check this status.
func (c *CheckTally) Count(s standards.Status) int { return c.counts[s] }

// Hosts is how many hosts' newest results include the check.
func (c *CheckTally) Hosts() int {
	n := 0
	for _, v := range c.counts {
		n += v
	}
	return n
}

// Applicable is how many hosts' newest results include the check and found
// it applies to them.
func (c *CheckTally) Applicable() int { return c.Hosts() - c.Count(standards.NotApplicable) }

// FailingShare is the fraction of the hosts the check applies to that fail
// it, or -1 when it applies to none.
func (c *CheckTally) FailingShare() float64 {
	if c.Applicable() == 0 {
		return -1
	}
	return float64(c.Count(standards.Fail)) / float64(c.Applicable())
}

// Unsure is how many hosts could not tell (unknown or needs admin).
func (c *CheckTally) Unsure() int {
	return c.counts[standards.Unknown] + c.counts[standards.NeedsAdmin]
}

// StandardTally is one NDG standard across the hosts.
type StandardTally struct {
	standards.Standard
	Assessed    int // hosts whose newest result assesses it
	Met         int
	Approaching int
	NotMet      int
	StaleMet    int // of Met, hosts whose result is stale
	// HostsOutcome is what the hosts' results give the standard by Rule;
	// Outcome combines it once with Attested, as standards.Combine does
	// for one machine.
	HostsOutcome standards.Outcome
	Outcome      standards.Outcome
	// Attested is what the practice file's answers give the standard,
	// judged once for the practice; its Outcome is NotAssessed when no
	// answer counts.
	Attested standards.StandardAttestations
	// AttestedText says, when the practice file's answers count for the
	// standard, what they give the practice: "" when they change nothing.
	AttestedText string
	// NotMetHosts names up to MaxNamed hosts not meeting it, alphabetically.
	NotMetHosts []string
}

// MaxNamed is how many failing hosts a standard's row names.
const MaxNamed = 10

// MetCurrent is how many hosts meet the standard by a result that is not
// stale.
func (s *StandardTally) MetCurrent() int { return s.Met - s.StaleMet }

// Share is the fraction of assessed hosts meeting the standard by a result
// that is not stale, or -1 when no host's result assesses it: a stale
// result says only that the host met it once.
func (s *StandardTally) Share() float64 {
	if s.Assessed == 0 {
		return -1
	}
	return float64(s.MetCurrent()) / float64(s.Assessed)
}

// Skipped is a file the roll-up did not use, and why.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Rollup is the practice view of many results.
type Rollup struct {
	Tool        report.Tool
	GeneratedAt time.Time
	StaleAfter  time.Duration
	Sources     []string
	Hosts       []*Host // worst first
	Checks      []*CheckTally
	Standards   []*StandardTally
	Outcome     standards.Outcome
	// FilesSeen counts every file considered; ResultsRead those that were
	// results; Superseded those replaced by a newer result of the same host.
	FilesSeen, ResultsRead, Superseded int
	Skipped                            []Skipped
	// TrustChecked says results were counted only when signed by the key
	// pinned for their host; Untrusted are those that were not, and Pinned
	// the hosts first trusted in this roll-up (--trust-new).
	TrustChecked bool
	Untrusted    []Untrusted
	Pinned       []Pin
	// Unaccounted are hosts the trust store pins that have no counted
	// result here: Tampered when files claiming them were not counted,
	// else missing.
	Unaccounted []Unaccounted
	// UnknownChecks counts hosts whose newest result has verdicts on checks
	// this build does not know; Recounted those whose file claims an outcome
	// or score its verdicts do not give.
	UnknownChecks, Recounted int
	// Ties counts the results not counted because they tie on scan time
	// with the result counted for their host.
	Ties int
	// Register, when set (BuildRegister), adds the asset register's sheets
	// to the workbook.
	Register *Register
	// Practice is the practice file the hosts were judged with, or nil.
	Practice *standards.Practice
	// Risks are the practice file's accepted risks across the hosts.
	Risks []RiskUse
	// Evidenced counts the standards by what evidences them.
	Evidenced *report.Evidenced
	// ActionPlan is the few actions that change the practice's outcomes most.
	ActionPlan []report.Action
	// Exploited are the exploited flaws hosts are open to, most hosts first.
	Exploited []*ExploitedTally
	// Custom is what the hosts' newest results say of custom checks; nil
	// when none read a checks file.
	Custom *CustomRollup
	// Trend, when set (fleet --trend), adds the practice's trend to the
	// workbook (a Trend sheet) and the page (a Trend section).
	Trend *Trend
	ndg   []standards.Standard // to recount results read again
	// attested is what the practice file's answers give each standard.
	attested map[int]standards.StandardAttestations
}

// StaleDays is the stale threshold in whole days.
func (r *Rollup) StaleDays() int { return int(r.StaleAfter.Hours() / 24) }

// RuleText is Rule with the stale threshold filled in.
func (r *Rollup) RuleText() string { return fmt.Sprintf(Rule, r.StaleDays()) }

// Stale counts the hosts flagged stale.
func (r *Rollup) Stale() int {
	n := 0
	for _, h := range r.Hosts {
		if h.Stale {
			n++
		}
	}
	return n
}

// HostOutcomes counts hosts by their own overall outcome, worst first.
func (r *Rollup) HostOutcomes() []OutcomeCount {
	counts := make([]OutcomeCount, len(outcomeOrder))
	for i, o := range outcomeOrder {
		counts[i].Outcome = o
	}
	for _, h := range r.Hosts {
		i := slices.Index(outcomeOrder, h.Outcome)
		counts[i].Hosts++
		if h.Stale {
			counts[i].Stale++
		}
	}
	return counts
}

// OutcomeCount is how many hosts reached one outcome.
type OutcomeCount struct {
	Outcome standards.Outcome
	Hosts   int
	Stale   int
}

// outcomeOrder ranks outcomes worst first; its index+1 is the byte code a
// host keeps per standard (0: the result does not mention the standard).
var outcomeOrder = []standards.Outcome{standards.NotMet, standards.Approaching, standards.NotAssessed, standards.Met}

func outcomeCode(o standards.Outcome) (byte, bool) {
	i := slices.Index(outcomeOrder, o)
	return byte(i + 1), i >= 0
}

// StandardOutcome is the host's outcome on standard n.
func (h *Host) StandardOutcome(n int) standards.Outcome {
	if n < 1 || n >= len(h.standards) || h.standards[n] == 0 {
		return standards.NotAssessed
	}
	return outcomeOrder[h.standards[n]-1]
}

// Status is the host's verdict on a check, and whether its result has it.
func (h *Host) Status(c *CheckTally) (standards.Status, bool) {
	if c.index >= len(h.statuses) || h.statuses[c.index] == 0 {
		return 0, false
	}
	return standards.Status(h.statuses[c.index] - 1), true
}

// Note says what else a reader should know of the host.
func (h *Host) Note() string {
	var notes []string
	if h.SharedName {
		notes = append(notes, "Results from more than one machine carry this name (machine IDs differ): give each PC its own name.")
	}
	if h.SincePrevious != "" {
		notes = append(notes, "Since the previous scan: "+h.SincePrevious+".")
	}
	if tie := h.TieNote(); tie != "" {
		notes = append(notes, tie)
	}
	return strings.Join(append(notes, h.Notes...), " ")
}

// sincePrevious says what a result records as worse than the scan
// before it: the checks regressed and newly failing, the first few named.
// IDs come from the file, so only those of this build's checks are named.
func sincePrevious(p *report.Previous, known func(id string) bool) string {
	if p == nil {
		return ""
	}
	var parts []string
	for _, list := range []struct {
		what string
		ids  []string
	}{{"regressed", p.Regressed}, {"newly failing", p.NewFailures}} {
		var ids []string
		for _, id := range list.ids {
			if known(id) {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			parts = append(parts, list.what+" "+namedFirst(ids))
		}
	}
	return strings.Join(parts, "; ")
}

// tally works out the per-check, per-standard and practice figures from
// the hosts' newest results.
func (r *Rollup) tally(checks []*CheckTally, ndg []standards.Standard) {
	r.Checks = checks
	for _, h := range r.Hosts {
		h.Stale = r.GeneratedAt.Sub(h.ScannedAt) > r.StaleAfter
		if h.UnknownChecks > 0 {
			r.UnknownChecks++
		}
		if h.Recounted {
			r.Recounted++
		}
		r.Ties += h.Ties
		for _, c := range checks {
			if s, ok := h.Status(c); ok {
				c.counts[s]++
			}
		}
	}
	slices.SortFunc(r.Hosts, compareHosts)
	r.tallyExploited()
	r.attested = report.PracticeOutcomes(ndg, r.Practice, r.GeneratedAt)
	var outcomes []standards.Outcome
	for _, s := range ndg {
		t := r.tallyStandard(s)
		r.Standards = append(r.Standards, t)
		outcomes = append(outcomes, t.Outcome)
	}
	r.Outcome = standards.Overall(outcomes)
	r.Outcome = r.capForUnaccounted(r.Outcome)
	slices.SortFunc(r.Checks, compareChecks)
}

// Unaccounted is a pinned host without a counted result.
type Unaccounted struct {
	HostName string `json:"host"`
	HostID   string `json:"host_id,omitempty"`
	// Tampered says files claiming the host were read but not counted.
	Tampered bool `json:"tampered"`
}

// capForUnaccounted keeps a practice from looking better than its hosts
// could be: a pinned host whose file was replaced by one it did not sign
// may hide a failure, so the practice is Not Met; one with no file at all
// keeps it from Met, as a stale result does.
func (r *Rollup) capForUnaccounted(o standards.Outcome) standards.Outcome {
	for _, u := range r.Unaccounted {
		if u.Tampered {
			return standards.NotMet
		}
	}
	if len(r.Unaccounted) > 0 && o == standards.Met {
		return standards.Approaching
	}
	return o
}

func (r *Rollup) tallyStandard(s standards.Standard) *StandardTally {
	return r.countStandard(s, true, r.attested[s.Number])
}

// countStandard tallies a standard over the hosts and combines it with
// what the practice file's answers give it; named lists the hosts not
// meeting it, which a what-if count does not need.
func (r *Rollup) countStandard(s standards.Standard, named bool, attested standards.StandardAttestations) *StandardTally {
	t := &StandardTally{Standard: s, Attested: attested}
	if attested.Outcome == "" {
		t.Attested.Outcome = standards.NotAssessed
	}
	for _, h := range r.Hosts {
		switch h.StandardOutcome(s.Number) {
		case standards.Met:
			t.Met++
			if h.Stale {
				t.StaleMet++
			}
		case standards.Approaching:
			t.Approaching++
		case standards.NotMet:
			t.NotMet++
			if named {
				t.NotMetHosts = append(t.NotMetHosts, h.Name)
			}
		default:
			continue
		}
		t.Assessed++
	}
	slices.SortFunc(t.NotMetHosts, func(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) })
	t.NotMetHosts = t.NotMetHosts[:min(len(t.NotMetHosts), MaxNamed)]
	switch {
	case t.Assessed == 0:
		t.HostsOutcome = standards.NotAssessed
	case t.NotMet > 0:
		t.HostsOutcome = standards.NotMet
	case t.Met == t.Assessed && t.StaleMet == 0:
		t.HostsOutcome = standards.Met
	default:
		t.HostsOutcome = standards.Approaching
	}
	t.Outcome = standards.Combine(t.HostsOutcome, t.Attested.Outcome, r.Practice != nil && len(t.Attested.Outstanding) > 0)
	if named {
		t.AttestedText = attestedText(t, r.GeneratedAt)
	}
	return t
}

// attestedText says what the practice file's answers give the standard,
// judged once for the practice, or "" when they change nothing.
func attestedText(t *StandardTally, now time.Time) string {
	a := t.Attested
	outstanding := ""
	if n := len(a.Outstanding); n > 0 {
		outstanding = fmt.Sprintf("%d %s not attested met (%s)", n, plural(n, "item", "items"), namedFirst(a.Outstanding))
	}
	if a.Counted == 0 {
		if t.Outcome == t.HostsOutcome {
			return ""
		}
		return fmt.Sprintf("practice's answers: %s for the practice, %s", report.ShortOutcome(t.Outcome), outstanding)
	}
	var answers []string
	for _, it := range a.Items {
		if it.Counts(now) && it.Answer != standards.AnswerMet {
			answers = append(answers, it.Item+" "+string(it.Answer))
		}
	}
	s := "practice's answers, judged once for the practice: " + report.ShortOutcome(a.Outcome)
	if len(answers) > 0 {
		s += " (" + namedFirst(answers) + ")"
	}
	if outstanding != "" && a.Outcome != standards.NotMet {
		s += "; " + outstanding
	}
	return s
}

// namedFirst joins the first few of names and counts the rest.
func namedFirst(names []string) string {
	const shown = 5
	s := strings.Join(names[:min(len(names), shown)], ", ")
	if len(names) > shown {
		s += fmt.Sprintf(" and %d more", len(names)-shown)
	}
	return s
}

// compareHosts puts the hosts to act on first: worst outcome, then stale,
// then most failing checks and worst severity; then by name.
func compareHosts(a, b *Host) int {
	return cmp.Or(
		cmp.Compare(slices.Index(outcomeOrder, a.Outcome), slices.Index(outcomeOrder, b.Outcome)),
		-compareBool(a.Stale, b.Stale),
		cmp.Compare(b.Failing, a.Failing),
		cmp.Compare(b.Worst, a.Worst),
		cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)),
	)
}

// compareChecks puts the checks failing on most hosts first, then the
// most severe, then those most often undetermined.
func compareChecks(a, b *CheckTally) int {
	return cmp.Or(
		cmp.Compare(b.Count(standards.Fail), a.Count(standards.Fail)),
		cmp.Compare(b.Severity, a.Severity),
		cmp.Compare(b.Unsure(), a.Unsure()),
		cmp.Compare(b.Count(standards.Warn), a.Count(standards.Warn)),
		cmp.Compare(a.ID, b.ID),
	)
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func hostsFact(r *Rollup) string {
	s := fmt.Sprintf("%d", len(r.Hosts))
	if n := r.Stale(); n > 0 {
		s += fmt.Sprintf(" (%d stale: no result in the last %d days)", n, r.StaleDays())
	}
	return s
}

// resultsFact says what was read; where says where the skipped files are
// listed.
func resultsFact(r *Rollup, where string) string {
	superseded := fmt.Sprintf("%d older %s superseded by a newer one of the same host", r.Superseded, plural(r.Superseded, "result", "results"))
	if r.Ties > 0 {
		superseded = fmt.Sprintf("%d older %s superseded by a newer one of the same host, and %d not counted because %s the same scan time as the result counted for %s host (a tie: the one whose path sorts first is counted; see the host's note)",
			r.Superseded-r.Ties, plural(r.Superseded-r.Ties, "result", "results"), r.Ties, plural(r.Ties, "it has", "they have"), plural(r.Ties, "its", "their"))
	}
	s := fmt.Sprintf("%d read from %s; %s; %d %s skipped",
		r.ResultsRead, strings.Join(r.Sources, ", "), superseded, len(r.Skipped), plural(len(r.Skipped), "file", "files"))
	if len(r.Skipped) > 0 {
		s += " (" + where + ")"
	}
	if r.Recounted > 0 {
		s += fmt.Sprintf("; %d %s an outcome or score %s verdicts do not give: recomputed (see each host's note)",
			r.Recounted, plural(r.Recounted, "host's file claims", "hosts' files claim"), plural(r.Recounted, "its", "their"))
	}
	if r.UnknownChecks > 0 {
		s += fmt.Sprintf("; %d %s verdicts on checks this build does not know: left out, counted nowhere",
			r.UnknownChecks, plural(r.UnknownChecks, "host's newest result has", "hosts' newest results have"))
	}
	return s
}

// notMetText names the hosts not meeting the standard and says what the
// practice file's answers give it, kept apart: they are the practice's,
// not any host's.
func notMetText(s *StandardTally) string {
	hosts := hostsNotMeeting(s)
	switch {
	case hosts == "":
		return s.AttestedText
	case s.AttestedText == "":
		return hosts
	}
	return hosts + "; " + s.AttestedText
}

// hostsNotMeeting names the hosts whose own results do not meet the
// standard.
func hostsNotMeeting(s *StandardTally) string {
	if s.NotMet == 0 {
		return ""
	}
	text := strings.Join(s.NotMetHosts, ", ")
	if s.NotMet > len(s.NotMetHosts) {
		text += fmt.Sprintf(" and %d more", s.NotMet-len(s.NotMetHosts))
	}
	return text
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// trustFact says, on page 1, whether results were checked against the
// trust store and how many were not counted.
func trustFact(r *Rollup) string {
	if !r.TrustChecked {
		return "signatures not checked: every result counted"
	}
	newHosts := 0
	for _, u := range r.Untrusted {
		if u.New {
			newHosts++
		}
	}
	s := "every counted result is signed by the key pinned for its host"
	if n := len(r.Untrusted); n > 0 {
		s = fmt.Sprintf("%d %s NOT counted: %d untrusted (unsigned, badly signed, or not signed by the key pinned for the host it claims to be), %d from new hosts not yet trusted",
			n, plural(n, "result", "results"), n-newHosts, newHosts)
	}
	if len(r.Pinned) > 0 {
		s += fmt.Sprintf("; %d new %s trusted in this roll-up (--trust-new)", len(r.Pinned), plural(len(r.Pinned), "host", "hosts"))
	}
	var tampered, missing []string
	for _, u := range r.Unaccounted {
		if u.Tampered {
			tampered = append(tampered, u.HostName)
		} else {
			missing = append(missing, u.HostName)
		}
	}
	if len(tampered) > 0 {
		s += fmt.Sprintf("; TAMPERED: %s: trusted %s whose files here are all untrusted, so the practice is Not Met until %s a result %s signed",
			strings.Join(tampered, ", "), plural(len(tampered), "host", "hosts"), plural(len(tampered), "it writes", "they write"), plural(len(tampered), "it has", "they have"))
	}
	if len(missing) > 0 {
		s += fmt.Sprintf("; no result from trusted %s %s, so the practice cannot be Met (retire a PC taken out of use: fleet --retire HOST)",
			plural(len(missing), "host", "hosts"), strings.Join(missing, ", "))
	}
	return s
}

// NotCounted writes, a line each, why nothing was counted: the trust
// store's verdict, each result not counted and each file skipped (as many
// as the terminal roll-up lists), for a trend that has nothing to show.
func NotCounted(w io.Writer, r *Rollup) error {
	shown := func(s string) string { return report.Sanitize(report.Truncate(s, report.ShownLimit)) }
	var b strings.Builder
	fmt.Fprintf(&b, "Trust: %s\n", shown(trustFact(r)))
	for i, u := range r.Untrusted {
		if i == maxUntrustedListed {
			fmt.Fprintf(&b, "  ... and %d more not counted: the roll-up without --trend lists every one in its xlsx, html, json and csv output\n", len(r.Untrusted)-i)
			break
		}
		fmt.Fprintf(&b, "  not counted: %s\n", shown(untrustedLine(u)))
	}
	for i, sk := range r.Skipped {
		if i == maxUntrustedListed {
			fmt.Fprintf(&b, "  ... and %d more skipped\n", len(r.Skipped)-i)
			break
		}
		fmt.Fprintf(&b, "  skipped: %s\n", shown(sk.Path+": "+sk.Reason))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// NewHosts counts the results not counted because their host is new.
func (r *Rollup) NewHosts() int {
	n := 0
	for _, u := range r.Untrusted {
		if u.New {
			n++
		}
	}
	return n
}

// untrustedLine names one result not counted, and why.
func untrustedLine(u Untrusted) string {
	who := u.HostName
	if u.KeyID != "" {
		who += ", key " + u.KeyID
	}
	return fmt.Sprintf("%s (claims %s): %s", u.Path, who, u.Reason)
}
